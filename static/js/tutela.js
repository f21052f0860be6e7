// Small behaviours shared by every page. No inline scripts anywhere (CSP script-src 'self').
"use strict";

// htmx: a refusal answered as a page fragment (status 4xx, header X-Tutela-Fragment) carries
// the server's message, so it is swapped in like a success. Any other error answer (a full
// 403 or 404 page, the CSRF failure page) is left out of the target, htmx's default.
document.addEventListener("htmx:beforeSwap", (event) => {
  const xhr = event.detail.xhr;
  if (xhr.status >= 400 && xhr.status < 500 && xhr.getResponseHeader("X-Tutela-Fragment")) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
