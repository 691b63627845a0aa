// Visible links in document order with their text and the text of the item around them.
() => Array.from(document.querySelectorAll('a[href]')).filter(a => {
  const r = a.getBoundingClientRect(); return r.width > 0 && r.height > 0;
}).map(a => {
  const item = a.closest('li,tr,dd,article,.item,.result,[class*=result],[class*=item]');
  return {href: a.href, text: (a.innerText || a.getAttribute('title') || '').trim(),
          title: a.getAttribute('title') || '', context: item ? item.innerText.trim().slice(0, 300) : ''};
})
