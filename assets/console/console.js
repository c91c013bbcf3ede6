// alter console: optional enhancements; every page works without this file.
// - Copy buttons next to read-only fields (hidden when JavaScript is off).
// - A secret shown once is removed from the page when the browser leaves it, so that going Back
//   (or a back/forward cache) never shows it again.
'use strict';
document.documentElement.classList.add('js');
document.addEventListener('click', (event) => {
  const button = event.target instanceof Element ? event.target.closest('button[data-copy]') : null;
  if (!button) return;
  event.preventDefault();
  const field = document.getElementById(button.getAttribute('data-copy'));
  if (!field) return;
  // Only the visible word changes; the hidden rest of the button's name stays for screen readers.
  const word = button.firstChild;
  const done = () => {
    const label = word.nodeValue;
    word.nodeValue = 'Copied';
    setTimeout(() => { word.nodeValue = label; }, 1500);
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(field.value).then(done, () => { field.select(); });
  } else {
    field.select();
    if (document.execCommand('copy')) done();
  }
});
window.addEventListener('pagehide', () => {
  for (const secret of document.querySelectorAll('[data-shown-once]')) secret.remove();
});
