// Card editor: add and remove rows of the key/value tables (metrics, hyperparameters, ...).
// Without JavaScript the page still works: it always renders a few empty rows, and a row
// whose cells are all cleared is dropped when the card is saved.
"use strict";

(() => {
  const editor = document.querySelector("[data-card-editor]");
  if (!editor) {
    return;
  }
  let added = 0;

  const clear = (row) => {
    for (const input of row.querySelectorAll("input")) {
      input.value = "";
    }
  };

  // A new row gets fresh ids (labels follow) and its row number in each label.
  const renumber = (row, number) => {
    added += 1;
    for (const label of row.querySelectorAll("label[for]")) {
      const input = row.querySelector(`#${CSS.escape(label.htmlFor)}`);
      const id = `${input.name}-added-${added}`;
      input.id = id;
      label.htmlFor = id;
      label.textContent = `${label.dataset.heading}, row ${number}`;
    }
  };

  const addRow = (fieldset) => {
    const body = fieldset.querySelector("tbody");
    const row = body.lastElementChild.cloneNode(true);
    clear(row);
    renumber(row, body.children.length + 1);
    body.appendChild(row);
    row.querySelector("input").focus();
  };

  const removeRow = (row) => {
    const body = row.parentElement;
    const fieldset = row.closest("[data-rows]");
    if (body.children.length > 1) {
      row.remove();
    } else {
      clear(row); // keep one row to copy when adding
    }
    fieldset.querySelector("[data-add-row]").focus();
  };

  for (const button of editor.querySelectorAll("[data-add-row], [data-remove-row]")) {
    button.hidden = false;
  }

  editor.addEventListener("click", (event) => {
    const add = event.target.closest("[data-add-row]");
    if (add) {
      addRow(add.closest("[data-rows]"));
      return;
    }
    const remove = event.target.closest("[data-remove-row]");
    if (remove) {
      removeRow(remove.closest("tr"));
    }
  });
})();
