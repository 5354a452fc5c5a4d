/* After a refused save or login, move the keyboard focus to the message that says why
 * (the error summary, the rulebook's refusal or the login error: [data-focus-on-load]),
 * so a screen reader reads it first and Tab goes on to its links. Without JavaScript
 * the same box is the first thing of the page, with role="alert".
 * A click on a summary link focuses the field it names (an input, or the first of a list).
 */
(function () {
  'use strict';

  var box = document.querySelector('[data-focus-on-load]');
  if (box && !window.location.hash) {
    box.focus();
  }

  document.addEventListener('click', function (event) {
    var link = event.target.closest('.form-error-summary a[href^="#"]');
    if (!link) { return; }
    var target = document.getElementById(decodeURIComponent(link.getAttribute('href').slice(1)));
    if (!target) { return; }
    var field = target.matches('input, select, textarea, button')
      ? target : target.querySelector('input:not([type=hidden]), select, textarea');
    if (!field) { return; }
    event.preventDefault();
    field.focus();
    field.scrollIntoView({block: 'center'});
  });
}());
