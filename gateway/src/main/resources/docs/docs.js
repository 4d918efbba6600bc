// Swagger UI over the gateway's own document. No validator badge: it would send the document to a service online.
"use strict";
window.addEventListener("DOMContentLoaded", () => {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    validatorUrl: null,
    deepLinking: true,
    tryItOutEnabled: false,
    persistAuthorization: false,
  });
});
