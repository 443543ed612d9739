/* "Add a row" for the inline formsets of the aid item form: copies the formset's empty row, numbers it and
   raises the management form's TOTAL_FORMS; htmx then wires the new row's unit search. */
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-formset-add]");
    if (!button) {
      return;
    }
    var prefix = button.getAttribute("data-formset-add");
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var template = document.querySelector('template[data-formset-template="' + prefix + '"]');
    var body = document.querySelector('[data-formset-body="' + prefix + '"]');
    if (!total || !template || !body) {
      return;
    }
    var index = parseInt(total.value, 10);
    var holder = document.createElement("tbody");
    holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index));
    var row = holder.firstElementChild;
    body.appendChild(row);
    total.value = String(index + 1);
    if (window.htmx) {
      window.htmx.process(row);
    }
    var first = row.querySelector("input, select");
    if (first) {
      first.focus();
    }
  });
})();
