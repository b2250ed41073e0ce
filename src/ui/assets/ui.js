// Steward UI keyboard shortcuts. Served from /ui/assets (the CSP allows no inline script). The pages work
// without it: every shortcut has a button or a link.
(function () {
  'use strict';
  function typing(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT|BUTTON)$/.test(el.tagName));
  }
  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll('tbody[data-rows] tr[data-row]'));
  }
  function select(delta) {
    var all = rows();
    if (!all.length) return false;
    var at = all.findIndex(function (r) { return r.classList.contains('selected'); });
    var next = Math.max(0, Math.min(all.length - 1, at < 0 ? 0 : at + delta));
    all.forEach(function (r) { r.classList.remove('selected'); });
    all[next].classList.add('selected');
    var link = all[next].querySelector('a.row-link');
    if (link) link.focus();
    return true;
  }
  function follow(key) {
    var a = document.querySelector('a[data-shortcut="' + key + '"]');
    if (!a) return false;
    window.location.assign(a.href);
    return true;
  }
  function decide(value) {
    var form = document.getElementById('decision');
    if (!form) return false;
    var button = form.querySelector('button[name="decision"][value="' + value + '"]');
    if (!button || button.disabled) return false;
    if (form.dataset.sent) return true;
    form.dataset.sent = '1';
    if (form.requestSubmit) form.requestSubmit(button);
    else button.click();
    return true;
  }
  document.addEventListener('keydown', function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
    if (e.key === 'Escape' && typing(document.activeElement)) {
      document.activeElement.blur();
      return;
    }
    if (typing(e.target) && !(e.target.tagName === 'BUTTON')) return;
    var done = false;
    switch (e.key) {
      case 'm': done = decide('match'); break;
      case 'n': done = decide('non-match'); break;
      case 'g': done = decide('merge'); break;
      case 's': done = follow('s'); break;
      case 'j': done = rows().length ? select(1) : follow('j'); break;
      case 'k': done = rows().length ? select(-1) : follow('k'); break;
    }
    if (done) e.preventDefault();
  });
  // A decision is sent once: a second click or key press while the first is on its way is ignored.
  document.addEventListener('submit', function (e) {
    var form = e.target;
    if (form.id !== 'decision') return;
    if (form.dataset.submitted) { e.preventDefault(); return; }
    form.dataset.submitted = '1';
  });
})();
