// Marks the page as JavaScript-enabled for govuk-frontend (kept out of inline script for CSP).
document.body.className += " js-enabled" +
  ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
