// 智能问答: a floating panel that sends questions to /api/qa and appends the answers.
document.addEventListener('DOMContentLoaded', function () {
  var panel = document.getElementById('qa-panel'), log = document.getElementById('qa-log');
  var input = document.getElementById('qa-input');
  document.getElementById('qa-open').onclick = function (e) { e.preventDefault(); panel.classList.add('open'); input.focus(); };
  function add(who, text) { var p = document.createElement('p'); p.className = who; p.textContent = text; log.appendChild(p); }
  function send() {
    var q = input.value.trim(); if (!q) return;
    add('me', q); input.value = '';
    fetch('/api/qa?q=' + encodeURIComponent(q)).then(function (r) { return r.json(); })
      .then(function (d) { setTimeout(function () { add('bot', d.answer); }, 300); });
  }
  document.getElementById('qa-send').onclick = send;
  input.addEventListener('keydown', function (e) { if (e.key === 'Enter') { e.preventDefault(); send(); } });
});
