/* Starts the Swagger UI of /api/v1/docs (no inline script: see app/web/headers.py). */
(function () {
  'use strict';
  window.addEventListener('load', function () {
    var container = document.getElementById('swagger-ui-container');
    var config = JSON.parse(container.getAttribute('data-config') || '{}');
    config.url = container.getAttribute('data-spec-url');
    config.dom_id = '#swagger-ui-container';
    window.ui = window.SwaggerUIBundle(config);
  });
}());
