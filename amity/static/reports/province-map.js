/* The province map's tooltips (reports/_province_map.html): the map works without this file, each province's
   name and figure being its SVG title (its accessible name, and the browser's own tooltip after a pause). With it,
   the title shows at once beside the pointer, or under a province reached with the keyboard; Escape hides it.
   The tooltip is positioned through style properties, which the Content-Security-Policy allows. */
(function () {
  "use strict";

  function enhance(figure) {
    var tip = document.createElement("div");
    tip.className = "amity-map-tooltip";
    tip.hidden = true;
    tip.setAttribute("aria-hidden", "true");  /* a copy of the title, which assistive technology already reads */
    figure.appendChild(tip);

    function areaOf(target) {
      var area = target && target.closest ? target.closest("[data-amity-map-area]") : null;
      return area && figure.contains(area) ? area : null;
    }

    function titleOf(area) {
      return area.getAttribute("aria-label") || "";
    }

    function place(x, y) {
      var box = figure.getBoundingClientRect();
      var left = Math.min(Math.max(x - box.left + 12, 0), Math.max(box.width - tip.offsetWidth, 0));
      tip.style.left = left + "px";
      tip.style.top = (y - box.top + 16) + "px";
    }

    function show(area, x, y) {
      tip.textContent = titleOf(area);
      tip.hidden = false;
      place(x, y);
    }

    function hide() {
      tip.hidden = true;
    }

    figure.addEventListener("pointermove", function (event) {
      var area = areaOf(event.target);
      if (area) {
        show(area, event.clientX, event.clientY);
      } else {
        hide();
      }
    });
    figure.addEventListener("pointerleave", hide);
    figure.addEventListener("focusin", function (event) {
      var area = areaOf(event.target);
      if (area) {
        var box = area.getBoundingClientRect();
        show(area, box.left + box.width / 2, box.bottom);
      }
    });
    figure.addEventListener("focusout", hide);
    figure.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        hide();
      }
    });
    /* The browser's own tooltip would repeat this one: each shape's title becomes its label attribute. */
    Array.prototype.forEach.call(figure.querySelectorAll("[data-amity-map-area]"), function (area) {
      var title = area.querySelector("title");
      if (title) {
        area.setAttribute("aria-label", title.textContent);
        title.parentNode.removeChild(title);
      }
    });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll(".amity-map"), enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
