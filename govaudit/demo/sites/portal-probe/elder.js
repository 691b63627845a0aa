// 长者模式 as a class toggle on <html>, remembered in localStorage.
function toggleElder(on) {
  document.documentElement.classList.toggle('elder', on);
  localStorage.setItem('elder', on ? '1' : '0');
  document.getElementById('elder-on').hidden = on;
  document.getElementById('elder-off').hidden = !on;
}
document.addEventListener('DOMContentLoaded', function () {
  if (localStorage.getItem('elder') === '1') toggleElder(true);
  document.getElementById('zoom-in').onclick = function () { document.documentElement.classList.add('big'); };
  document.getElementById('zoom-out').onclick = function () { document.documentElement.classList.remove('big'); };
});
