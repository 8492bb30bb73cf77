// Starts the OpenAPI viewer of /api/docs (Swagger UI from npm, served from /static/vendor).
// A file rather than an inline script: the Content-Security-Policy allows only 'self'.
"use strict";
window.addEventListener("DOMContentLoaded", () => {
  const root = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({
    url: root.dataset.schema,
    domNode: root,
    deepLinking: true,
    docExpansion: "list",
    defaultModelsExpandDepth: 0,
    tryItOutEnabled: false,
  });
});
