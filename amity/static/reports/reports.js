/* The report pages' behaviours, no build step:

   Charts, drawn with the vendored Apache ECharts from the JSON the server puts beside each chart
   (<script type="application/json">, made by amity/reports/dashboard.py); the province map is drawn by the
   server (reports/_province_map.html, tooltips in province-map.js):

   - every bar and point links to the aid items behind its figure: a click opens data.link;
   - labels come translated from the server; numbers are formatted with Intl.NumberFormat in the page's
     language (<html lang>);
   - right-to-left pages (Arabic) mirror the charts: value axes and legends on the right, category axes
     reversed, so that text reads from the right and is never clipped;
   - the same figures are in a table under each chart (<details>), for screen readers and without JavaScript;
   - tooltips are built as elements (ECharts' own HTML tooltips carry style attributes, which the page's
     Content-Security-Policy refuses), styled by amity.css.

   The parameter form: changing the era clears the province (its code means another province in the other
   era) and shows the page again. */
(function () {
  "use strict";

  var root = document.documentElement;
  var lang = root.lang || "vi";
  var rtl = root.dir === "rtl";
  var COLOURS = ["#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#20c997"];

  function fontFamily() {
    return window.getComputedStyle(document.body).fontFamily;
  }

  /* Amounts in their currency; counts (no currency: the diplomacy dashboard's) as whole numbers. */
  function formatters(currency) {
    var digits = currency === "VND" || !currency ? 0 : 2;
    var full = new Intl.NumberFormat(lang, { minimumFractionDigits: digits, maximumFractionDigits: digits });
    var compact = new Intl.NumberFormat(lang, { notation: "compact", maximumFractionDigits: 1 });
    return {
      full: function (value) { return full.format(value) + (currency ? " " + currency : ""); },
      compact: function (value) { return compact.format(value); }
    };
  }

  function readData(element) {
    var script = document.getElementById(element.getAttribute("data-amity-chart"));
    return script ? JSON.parse(script.textContent) : null;
  }

  function linkOnClick(chart) {
    chart.on("click", function (params) {
      var link = params.data && params.data.link;
      if (link) {
        window.location.assign(link);
      }
    });
  }

  function legend() {
    return { top: 0, type: "scroll", left: rtl ? "auto" : 0, right: rtl ? 0 : "auto", align: rtl ? "right" : "left" };
  }

  function tooltipBox(title) {
    var box = document.createElement("div");
    box.className = "amity-tooltip";
    box.dir = rtl ? "rtl" : "ltr";
    var heading = document.createElement("div");
    heading.className = "amity-tooltip-title";
    heading.textContent = title;
    box.appendChild(heading);
    return box;
  }

  function tooltipRow(box, name, value, colour) {
    var row = document.createElement("div");
    row.className = "amity-tooltip-row";
    if (colour) {
      var marker = document.createElement("span");
      marker.className = "amity-tooltip-marker";
      marker.style.backgroundColor = colour;  /* a style property, not an attribute: allowed by the policy */
      row.appendChild(marker);
    }
    var label = document.createElement("span");
    label.textContent = name;
    var figure = document.createElement("strong");
    figure.className = "amity-tooltip-value";
    figure.textContent = value;
    row.appendChild(label);
    row.appendChild(figure);
    box.appendChild(row);
  }

  function tooltip(format) {
    return {
      trigger: "axis",
      axisPointer: { type: "shadow" },
      confine: true,
      formatter: function (params) {
        var box = tooltipBox(params.length ? params[0].axisValueLabel : "");
        params.forEach(function (item) {
          var value = item.value === null || item.value === undefined ? "—" : format.full(item.value);
          tooltipRow(box, item.seriesName, value, typeof item.color === "string" ? item.color : null);
        });
        return box;
      }
    };
  }

  /* Committed (bars) and disbursed (line) by year. */
  function yearsOption(data, format) {
    return {
      color: COLOURS,
      textStyle: { fontFamily: fontFamily() },
      legend: legend(),
      tooltip: tooltip(format),
      grid: { top: 36, bottom: 8, left: 8, right: 8, containLabel: true },
      xAxis: { type: "category", data: data.categories, inverse: rtl },
      yAxis: {
        type: "value",
        position: rtl ? "right" : "left",
        minInterval: data.currency ? 0 : 1,  /* counts: whole ticks */
        axisLabel: { formatter: format.compact }
      },
      series: data.series.map(function (series, index) {
        return {
          name: series.name,
          type: index === 0 ? "bar" : "line",
          data: series.data,
          cursor: "pointer",
          symbolSize: 8
        };
      })
    };
  }

  /* Horizontal bars: categories (sectors, countries, donors) down the side, values along. The first category
     is at the top; in right-to-left pages the labels are on the right and the bars grow leftwards. */
  function horizontalBarsOption(data, format) {
    return {
      color: COLOURS,
      textStyle: { fontFamily: fontFamily() },
      legend: legend(),
      tooltip: tooltip(format),
      /* room at the far end for the largest value's label (longer in some languages: "40 مليون") */
      grid: { top: 36, bottom: 8, left: rtl ? 40 : 8, right: rtl ? 8 : 40, containLabel: true },
      xAxis: {
        type: "value",
        inverse: rtl,
        minInterval: data.currency ? 0 : 1,  /* counts: whole ticks */
        axisLabel: { formatter: format.compact, hideOverlap: true }
      },
      yAxis: {
        type: "category",
        data: data.categories,
        inverse: true,
        position: rtl ? "right" : "left",
        axisLabel: { width: 190, overflow: "truncate", ellipsis: "…" }
      },
      series: data.series.map(function (series) {
        return { name: series.name, type: "bar", data: series.data, cursor: "pointer", barMaxWidth: 14 };
      })
    };
  }

  function draw(element) {
    var data = readData(element);
    if (!data || !window.echarts) {
      return;
    }
    var format = formatters(data.currency);
    var chart = window.echarts.init(element, null, { renderer: "canvas" });
    linkOnClick(chart);
    window.addEventListener("resize", function () { chart.resize(); });
    chart.setOption(data.kind === "years" ? yearsOption(data, format) : horizontalBarsOption(data, format));
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-amity-chart]"), draw);
    /* Changing the era changes what a province code means: choose the province again. */
    Array.prototype.forEach.call(document.querySelectorAll("[data-amity-era]"), function (select) {
      select.addEventListener("change", function () {
        var province = select.form && select.form.elements.namedItem("province");
        if (province) {
          province.value = "";
        }
        select.form.requestSubmit();
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
