/* Amity's small page behaviours (no framework):
   - forms with data-confirm="question" ask before submitting (delete, restore);
   - htmx requests carry Django's CSRF token (from <meta name="csrf-token">);
   - long drop-downs (select[data-filter], core.forms.FilterableSelect) get a search box;
   - progress bars take their width from aria-valuenow (the Content-Security-Policy allows no style attribute);
   - a province drop-down with data-era-field="name" copies the chosen unit's era (data-era) into that field;
   - Enter in a search box with data-enter-searches (a server search by htmx, as the documents' link chooser)
     searches and does not submit the form around it.
   Elements added later (formsets, htmx swaps) are enhanced as they appear. */
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!(select instanceof HTMLSelectElement) || !select.hasAttribute("data-era-field") || !select.form) {
      return;
    }
    var option = select.selectedOptions[0];
    select.form.elements[select.getAttribute("data-era-field")].value = (option && option.dataset.era) || "2025";
  });

  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (event.key === "Enter" && input instanceof HTMLInputElement && input.hasAttribute("data-enter-searches")) {
      event.preventDefault();
      input.dispatchEvent(new Event("search", { bubbles: true }));
    }
  });

  document.addEventListener("htmx:configRequest", function (event) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta && meta.content) {
      event.detail.headers["X-CSRFToken"] = meta.content;
    }
  });

  /* Filterable drop-downs. The search box before a select[data-filter] keeps the options whose text (and
     group label) contains every typed word; case, Vietnamese diacritics (đ as d) and Arabic vowel marks,
     tatweel and hamza seats are ignored, so "giao duc" finds "Giáo dục" and "التعليم" finds "التَّعليم".
     The selected option and the empty choice always stay; Enter picks the first match. Rows added later
     (formsets, htmx swaps) are enhanced as they appear. */
  function fold(text) {
    return text.normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .replace(/[\u0111\u0110]/g, "d")
      .toLowerCase()
      .replace(/[\u064b-\u065f\u0670\u0640]/g, "")
      .replace(/[\u0622\u0623\u0625\u0671]/g, "\u0627")
      .replace(/\u0649/g, "\u064a")
      .replace(/\u0629/g, "\u0647");
  }

  function enhanceSelect(select) {
    if (select.hasAttribute("data-filter-ready") || select.multiple) {
      return;
    }
    select.setAttribute("data-filter-ready", "");
    var entries = Array.prototype.map.call(select.options, function (option) {
      var group = option.parentNode.tagName === "OPTGROUP" ? option.parentNode : null;
      return { option: option, group: group, text: fold(option.text + " " + (group ? group.label : "")) };
    });
    var groups = Array.prototype.slice.call(select.querySelectorAll("optgroup"));
    var input = document.createElement("input");
    input.type = "search";
    input.className = "form-control form-control-sm mb-1";
    input.placeholder = select.getAttribute("data-filter");
    input.autocomplete = "off";
    input.setAttribute("aria-label", select.getAttribute("data-filter"));
    if (select.id) {
      input.setAttribute("aria-controls", select.id);
    }
    var status = document.createElement("div");
    status.className = "form-text mt-0 small";
    status.setAttribute("aria-live", "polite");
    select.parentNode.insertBefore(input, select);
    select.parentNode.insertBefore(status, select.nextSibling);

    function apply() {
      var words = fold(input.value).split(/\s+/).filter(Boolean);
      var selected = select.value;
      var matched = 0;
      var total = 0;
      while (select.firstChild) {
        select.removeChild(select.firstChild);
      }
      groups.forEach(function (group) {
        while (group.firstChild) {
          group.removeChild(group.firstChild);
        }
      });
      entries.forEach(function (entry) {
        var value = entry.option.value;
        var hit = words.every(function (word) { return entry.text.indexOf(word) !== -1; });
        if (value) {
          total += 1;
          matched += hit ? 1 : 0;
        }
        if (hit || !value || value === selected) {
          if (entry.group && entry.group.parentNode !== select) {
            select.appendChild(entry.group);
          }
          (entry.group || select).appendChild(entry.option);
        }
      });
      select.value = selected;
      if (!words.length) {
        status.textContent = "";
      } else if (matched) {
        status.textContent = (select.getAttribute("data-filter-count") || "")
          .replace("%(count)s", String(matched)).replace("%(total)s", String(total));
      } else {
        status.textContent = select.getAttribute("data-filter-none") || "";
      }
    }

    input.addEventListener("input", apply);
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();  // not the form's submit
        var words = fold(input.value).split(/\s+/).filter(Boolean);
        var first = entries.filter(function (entry) {
          return entry.option.value && words.every(function (word) { return entry.text.indexOf(word) !== -1; });
        })[0];
        if (first && words.length) {
          select.value = first.option.value;
          select.dispatchEvent(new Event("change", { bubbles: true }));
        }
        select.focus();
      } else if (event.key === "ArrowDown") {
        event.preventDefault();
        select.focus();
      }
    });
  }

  function sizeProgress(progress) {
    var bar = progress.querySelector(".progress-bar");
    var percent = Number(progress.getAttribute("aria-valuenow"));
    if (bar && isFinite(percent)) {
      bar.style.width = Math.max(0, Math.min(100, percent)) + "%";
    }
  }

  function enhanceWithin(node) {
    if (node.nodeType !== 1) {
      return;
    }
    if (node.matches("select[data-filter]")) {
      enhanceSelect(node);
    }
    Array.prototype.forEach.call(node.querySelectorAll("select[data-filter]"), enhanceSelect);
    if (node.matches(".progress[aria-valuenow]")) {
      sizeProgress(node);
    }
    Array.prototype.forEach.call(node.querySelectorAll(".progress[aria-valuenow]"), sizeProgress);
  }

  enhanceWithin(document.body);
  new MutationObserver(function (mutations) {
    mutations.forEach(function (mutation) {
      Array.prototype.forEach.call(mutation.addedNodes, enhanceWithin);
    });
  }).observe(document.body, { childList: true, subtree: true });
})();
