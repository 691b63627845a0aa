// Candidates for pop-ups and ads: visible fixed (or high z-index absolute) boxes, iframes,
// and download-looking links, with the label and developer names needed to judge them.
() => {
  const out = [];
  const vis = (el) => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
    return r.width > 2 && r.height > 2 && s.visibility !== 'hidden' && s.display !== 'none' && parseFloat(s.opacity) > 0.05 &&
      r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth; };
  const hint = (el) => [el.id, el.className && el.className.baseVal === undefined ? el.className : '', el.getAttribute('src') || '', el.getAttribute('href') || '',
    ...Array.from(el.querySelectorAll('img,iframe,a')).slice(0, 5).map(x => (x.id || '') + ' ' + (typeof x.className === 'string' ? x.className : '') + ' ' + (x.getAttribute('src') || ''))].join(' ');
  for (const el of document.body ? document.body.querySelectorAll('*') : []) {
    const s = getComputedStyle(el);
    const fixed = s.position === 'fixed' || s.position === 'sticky' ||
      (s.position === 'absolute' && (parseInt(s.zIndex) || 0) >= 100);
    if (!fixed || !vis(el)) continue;
    let p = el.parentElement, nested = false;
    while (p && p !== document.body) { const ps = getComputedStyle(p); if (ps.position === 'fixed' || (ps.position === 'absolute' && (parseInt(ps.zIndex) || 0) >= 100)) { nested = true; break; } p = p.parentElement; }
    if (nested) continue;
    const r = el.getBoundingClientRect();
    const closeEl = Array.from(el.querySelectorAll('*')).find(c => /^(关闭|×|x|X|close|✕|✖)$/.test((c.innerText || c.getAttribute('title') || c.getAttribute('alt') || '').trim()) || /close|guanbi/i.test(typeof c.className === 'string' ? c.className : ''));
    out.push({kind: 'fixed', label: (el.innerText || '').trim().slice(0, 200), hint: hint(el), w: Math.round(r.width), h: Math.round(r.height), has_close: !!closeEl});
  }
  for (const f of document.querySelectorAll('iframe')) {
    if (!vis(f)) continue;
    const r = f.getBoundingClientRect();
    out.push({kind: 'iframe', label: f.getAttribute('title') || '', hint: hint(f), w: Math.round(r.width), h: Math.round(r.height)});
  }
  for (const a of document.querySelectorAll('a,button')) {
    const t = (a.innerText || a.getAttribute('title') || '').trim();
    const href = a.getAttribute('href') || '';
    if (!/下载|安装|打开/.test(t) && !/\.(apk|exe|ipa)(\?|$)/i.test(href)) continue;
    if (!vis(a)) continue;
    out.push({kind: 'link', label: t.slice(0, 60), hint: href, w: 0, h: 0});
  }
  return {viewport: [innerWidth, innerHeight], items: out};
}
