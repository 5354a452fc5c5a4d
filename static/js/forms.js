/* Our own small helpers for the step forms (no library):
 * - list fields (experts, members' positions): add, remove and reorder rows in the page,
 *   renumbering the field names (experts-0-name …) so the server reads them in the new order;
 * - the principal's row is highlighted;
 * - the exemption fields show only when the status is "exempted".
 * Without JavaScript the same buttons are submit buttons that the server handles.
 */
(function () {
  'use strict';

  function renumber(list) {
    var name = list.getAttribute('data-list');
    var pattern = new RegExp('^' + name + '-(\\d+|__index__)-');
    var rows = list.querySelectorAll('[data-rows] > [data-row]');
    rows.forEach(function (row, index) {
      row.querySelectorAll('[name], [id], [for]').forEach(function (element) {
        ['name', 'id', 'for'].forEach(function (attribute) {
          var value = element.getAttribute(attribute);
          if (value && pattern.test(value)) {
            element.setAttribute(attribute, value.replace(pattern, name + '-' + index + '-'));
          }
        });
      });
      row.querySelectorAll('[data-row-action]').forEach(function (button) {
        var action = button.getAttribute('data-row-action');
        button.value = name + ':' + index + ':' + action;
        if (action === 'up') { button.disabled = index === 0; }
        if (action === 'down') { button.disabled = index === rows.length - 1; }
      });
      var number = row.querySelector('[data-row-number]');
      if (number) { number.textContent = String(index + 1); }
    });
  }

  function syncPrincipal(checkbox) {
    var row = checkbox.closest('[data-row]');
    if (row) {
      row.classList.toggle('table-primary', checkbox.checked);
      row.classList.toggle('principal', checkbox.checked);
    }
  }

  function syncExemption(form) {
    var status = form.querySelector('[data-status]');
    var box = form.querySelector('[data-exemption]');
    if (!status || !box) { return; }
    var hasError = box.querySelector('.is-invalid') !== null;
    box.hidden = status.value !== 'exempted' && !hasError;
  }

  document.addEventListener('click', function (event) {
    var button = event.target.closest('[data-row-action], [data-row-add]');
    if (!button) { return; }
    var list = button.closest('[data-list]');
    if (!list) { return; }
    event.preventDefault();
    var body = list.querySelector('[data-rows]');
    if (button.hasAttribute('data-row-add')) {
      var template = list.querySelector('template[data-row-template]');
      var row = template.content.firstElementChild.cloneNode(true);
      body.appendChild(row);
      renumber(list);
      var first = row.querySelector('input:not([type=checkbox]), select, textarea');
      if (first) { first.focus(); }
      return;
    }
    var current = button.closest('[data-row]');
    var action = button.getAttribute('data-row-action');
    if (action === 'remove') {
      var next = current.nextElementSibling || current.previousElementSibling;
      current.remove();
      renumber(list);
      var target = next ? next.querySelector('[data-row-action="remove"]') : list.querySelector('[data-row-add]');
      if (target) { target.focus(); }
      return;
    }
    if (action === 'up' && current.previousElementSibling) {
      body.insertBefore(current, current.previousElementSibling);
    } else if (action === 'down' && current.nextElementSibling) {
      body.insertBefore(current.nextElementSibling, current);
    }
    renumber(list);
    if (!button.disabled) { button.focus(); }
  });

  document.addEventListener('change', function (event) {
    if (event.target.matches('[data-principal]')) { syncPrincipal(event.target); }
    if (event.target.matches('[data-status]')) { syncExemption(event.target.form); }
  });

  document.querySelectorAll('[data-list]').forEach(renumber);
  document.querySelectorAll('[data-step-form]').forEach(syncExemption);
}());
