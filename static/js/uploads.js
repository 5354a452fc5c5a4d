/* The size check of evidence files, before anything is sent (progressive enhancement).
 * Every file box with data-max-bytes is checked when a file is chosen and when its form is submitted:
 * a file over the cap gets the page's own message next to the box (data-too-large, with {name} and
 * {size} filled in) and the form is not sent. Without JavaScript the server makes the same check and
 * answers with the same page, the typed values and the same message.
 */
(function () {
  'use strict';

  function megabytes(bytes) {
    return (bytes / 1048576).toFixed(1);
  }

  function messageBox(input) {
    var id = input.id + '-error';
    var box = document.getElementById(id);
    if (!box) {
      box = document.createElement('div');
      box.id = id;
      box.className = 'invalid-feedback d-block field-error upload-error';
      box.setAttribute('role', 'alert');
      var after = input.closest('.input-group') || input;
      after.insertAdjacentElement('afterend', box);
    }
    return box;
  }

  function clear(input) {
    var box = document.getElementById(input.id + '-error');
    if (box) { box.remove(); }
    input.classList.remove('is-invalid');
    input.removeAttribute('aria-invalid');
  }

  /* True when the chosen file (if any) fits; otherwise shows the message and returns false. */
  function check(input) {
    var max = parseInt(input.getAttribute('data-max-bytes'), 10);
    var file = input.files && input.files[0];
    if (!file || !max || file.size <= max) {
      return true;
    }
    var box = messageBox(input);
    box.textContent = input.getAttribute('data-too-large')
      .replace('{name}', file.name)
      .replace('{size}', megabytes(file.size));
    input.classList.add('is-invalid');
    input.setAttribute('aria-invalid', 'true');
    var described = (input.getAttribute('aria-describedby') || '').split(' ');
    if (described.indexOf(box.id) < 0) {
      described.push(box.id);
      input.setAttribute('aria-describedby', described.join(' ').trim());
    }
    return false;
  }

  document.querySelectorAll('input[type="file"][data-max-bytes]').forEach(function (input) {
    input.addEventListener('change', function () {
      clear(input);
      check(input);
    });
    if (input.form) {
      input.form.addEventListener('submit', function (event) {
        if (!check(input)) {
          event.preventDefault();
          input.focus();
        }
      });
    }
  });
})();
