// Visible text blocks with their rendered style: effective font size (CSS zoom and
// transforms included), weight, colour and the background colours up to the root.
(limit) => {
  const out = [];
  const walker = document.createTreeWalker(document.body || document.documentElement, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  let node;
  while ((node = walker.nextNode()) && out.length < limit) {
    const text = node.nodeValue.replace(/\s+/g, '');
    if (text.length < 2) continue;
    const el = node.parentElement;
    if (!el || seen.has(el) || /^(SCRIPT|STYLE|NOSCRIPT|TEMPLATE|OPTION)$/.test(el.tagName)) continue;
    seen.add(el);
    const st = getComputedStyle(el);
    if (st.visibility === 'hidden' || st.display === 'none' || parseFloat(st.opacity) === 0) continue;
    const r = el.getBoundingClientRect();
    if (r.width < 1 || r.height < 1) continue;
    let scale = el.currentCSSZoom || 1;
    if (el.offsetHeight > 0 && Math.abs(r.height / el.offsetHeight - 1) > 0.05 && !el.currentCSSZoom) scale *= r.height / el.offsetHeight;
    const bgs = [];
    let bgImage = false;
    for (let a = el; a; a = a.parentElement) {
      const s = getComputedStyle(a);
      bgs.push(s.backgroundColor);
      if (s.backgroundImage && s.backgroundImage !== 'none') { bgImage = true; break; }
      const m = s.backgroundColor.match(/rgba?\(([^)]*)\)/);
      if (m) { const p = m[1].split(/[ ,\/]+/); if (p.length < 4 || parseFloat(p[3]) >= 1) break; }
    }
    let chars = 0;
    for (const c of el.childNodes) if (c.nodeType === 3) chars += c.nodeValue.replace(/\s+/g, '').length;
    out.push({px: parseFloat(st.fontSize) * scale, weight: parseInt(st.fontWeight) || 400, color: st.color,
              bgs, bg_image: bgImage, chars, text: text.slice(0, 40)});
  }
  return out;
}
