// The print-friendly card page: its "Print" button opens the browser's print dialog.
// (CSP: no inline handlers, so the button is wired here.)
"use strict";

document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-print-page]");
  if (button) {
    window.print();
  }
});
