// Number candidate elements (data-ga-i) and flag the invisible ones (data-ga-hidden),
// so heuristics run on page.content() can point back at live elements.
() => {
  const sel = 'a,button,input,textarea,select,form,iframe,img,span,div,li,em,i,font,label,p,[onclick],[role]';
  let i = 0;
  for (const el of document.querySelectorAll(sel)) {
    el.setAttribute('data-ga-i', String(i++));
    const st = getComputedStyle(el);
    const r = el.getBoundingClientRect();
    const hidden = st.display === 'none' || st.visibility === 'hidden' || st.opacity === '0' ||
      (r.width === 0 && r.height === 0 && el.getClientRects().length === 0) ||
      r.right < 0 || r.bottom < -2000 || r.left > Math.max(document.documentElement.scrollWidth, innerWidth);
    if (hidden) el.setAttribute('data-ga-hidden', '1'); else el.removeAttribute('data-ga-hidden');
  }
  return i;
}
