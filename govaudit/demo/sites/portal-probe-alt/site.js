// A search box without a form (submitted by script), a 无障碍 toolbar, a registration modal.
document.addEventListener('DOMContentLoaded', function () {
  var kw = document.querySelector('.sbox input');
  function go() { location.href = '/s.html?wd=' + encodeURIComponent(kw.value); }
  document.querySelector('.sbtn').onclick = go;
  kw.addEventListener('keyup', function (e) { if (e.keyCode === 13) go(); });
  document.getElementById('wza').onclick = function () { document.getElementById('wza-bar').classList.add('on'); };
  var size = 14;
  document.getElementById('fs-up').onclick = function () { size += 2; document.documentElement.style.fontSize = size + 'px'; };
  document.getElementById('fs-down').onclick = function () { size -= 2; document.documentElement.style.fontSize = size + 'px'; };
  document.getElementById('reg').onclick = function () { document.getElementById('reg-modal').classList.add('open'); };
});
