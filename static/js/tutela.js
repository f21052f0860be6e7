// Small behaviours shared by every page. No inline scripts anywhere (CSP script-src 'self').
"use strict";

// Buttons and forms with data-confirm="..." ask before they submit.
document.addEventListener("submit", (event) => {
  const form = event.target;
  const question = form.dataset.confirm;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

// htmx: show the server's refusal text instead of failing silently on 4xx answers that
// carry a page fragment (the server renders the message into the target).
document.addEventListener("htmx:beforeSwap", (event) => {
  const status = event.detail.xhr.status;
  if (status >= 400 && status < 500) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
