/* Amity's small page behaviours (no framework):
   - forms with data-confirm="question" ask before submitting (delete, restore);
   - htmx requests carry Django's CSRF token (from <meta name="csrf-token">);
   - long drop-downs (select[data-filter], core.forms.FilterableSelect) get a search box;
   - drop-downs too long to send (select[data-search-url], core.forms.SearchSelect: the donors, the documents
     to link) are refilled from the server as the user types in the search box before them;
   - progress bars take their width from aria-valuenow (the Content-Security-Policy allows no style attribute);
   - a province drop-down with data-era-field="name" copies the chosen unit's era (data-era) into that field;
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

  /* Searched drop-downs. The page holds only the empty choice, the chosen value and the matches of the words
     in the box before the select (so the search works without JavaScript: the box's Search button sends the form
     and the page offers the matches; here the button is removed). As the user types, the select is refilled from
     data-search-url?q=… (JSON {results: [{value, label}], total} or more: true: the server searches, in the
     user's scope, with or without diacritics; with data-search-blank, an empty box asks too, for the options to
     start from); the chosen value always stays. Enter picks the first match instead of sending the form. */
  function enhanceSearch(select) {
    if (select.hasAttribute("data-search-ready") || !select.id) {
      return;
    }
    var input = document.getElementById(select.id + "_search");
    if (!input) {
      return;
    }
    select.setAttribute("data-search-ready", "");
    // The Search button sends the form without JavaScript; here typing searches and Enter picks.
    var go = input.parentNode.querySelector("[data-search-go]");
    if (go) {
      go.parentNode.removeChild(go);
    }
    var status = select.parentNode.querySelector("[data-search-status]");
    var asked = 0;
    var timer = null;
    var found = [];  // the last answer's matches, best first

    function say(text) {
      if (status) {
        status.textContent = text;
      }
    }

    function fill(results, total, more) {
      found = results;
      var selected = select.value;
      var keep = Array.prototype.filter.call(select.options, function (option) {
        return !option.value || option.value === selected;
      });
      while (select.firstChild) {
        select.removeChild(select.firstChild);
      }
      keep.forEach(function (option) { select.appendChild(option); });
      results.forEach(function (result) {
        if (result.value !== selected) {
          select.appendChild(new Option(result.label, result.value));
        }
      });
      select.value = selected;
      if (!input.value.trim()) {
        say("");
      } else if (!results.length) {
        say(select.getAttribute("data-search-none") || "");
      } else if (more) {
        say(select.getAttribute("data-search-more") || "");
      } else if (total > results.length) {
        say((select.getAttribute("data-search-count") || "")
          .replace("%(count)s", String(results.length)).replace("%(total)s", String(total)));
      } else {
        say("");
      }
    }

    function search() {
      var words = input.value.trim();
      var number = ++asked;
      if (!words && !select.hasAttribute("data-search-blank")) {
        fill([], 0, false);
        return;
      }
      var url = select.getAttribute("data-search-url");
      url += (url.indexOf("?") === -1 ? "?" : "&") + "q=" + encodeURIComponent(words);
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (data && number === asked) {
            fill(data.results || [], data.total || 0, Boolean(data.more));
          }
        })
        .catch(function () { /* the options stay as they were; the form still sends the words */ });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(search, 250);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();  // not the form's submit
        if (found.length && input.value.trim()) {
          select.value = found[0].value;
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
    if (node.matches("select[data-search-url]")) {
      enhanceSearch(node);
    }
    Array.prototype.forEach.call(node.querySelectorAll("select[data-search-url]"), enhanceSearch);
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
