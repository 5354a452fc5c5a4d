/* Progress of a large upload: the form is sent by XMLHttpRequest so the bar can follow the bytes, then the
 * answer (the preview page, or the form with its errors) replaces the page. Without JavaScript the form is
 * sent as usual. */
(function () {
  'use strict';
  document.querySelectorAll('form[data-upload-progress]').forEach(function (form) {
    form.addEventListener('submit', function (event) {
      if (!window.FormData || !window.XMLHttpRequest) { return; }
      event.preventDefault();
      var box = form.querySelector('[data-progress]');
      var bar = box && box.querySelector('progress');
      var text = box && box.querySelector('[data-progress-text]');
      if (box) { box.hidden = false; }
      var request = new XMLHttpRequest();
      request.open('POST', form.action);
      request.upload.addEventListener('progress', function (e) {
        if (!e.lengthComputable || !bar) { return; }
        var percent = Math.round(100 * e.loaded / e.total);
        bar.value = percent;
        if (text) { text.textContent = percent + '%'; }
      });
      request.upload.addEventListener('load', function () {
        if (bar) { bar.removeAttribute('value'); }  /* indeterminate while the server checks the rows */
      });
      request.addEventListener('load', function () {
        document.open();
        document.write(request.responseText);
        document.close();
      });
      request.addEventListener('error', function () { form.submit(); });
      request.send(new FormData(form));
    });
  });
})();
