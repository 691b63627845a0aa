// Viewport meta and horizontal overflow at the current (mobile) viewport.
() => {
  const meta = document.querySelector('meta[name=viewport]');
  const sw = Math.max(document.documentElement.scrollWidth, document.body ? document.body.scrollWidth : 0);
  return {viewport_meta: meta ? meta.getAttribute('content') : null, scroll_width: sw, inner_width: innerWidth,
          client_width: document.documentElement.clientWidth};
}
