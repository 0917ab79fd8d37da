/* The dashboards' charts, drawn by the vendored ECharts from the figures the page carries as
   JSON (one <script type="application/json"> per figure). Each chart stands beside a table with
   the same figures, so a reader without JavaScript or a screen reader loses nothing. A figure
   hidden because too few people are behind it is drawn as no bar and labelled so. Cases by
   district are also drawn on a map of the districts' boundaries, fetched from the console. */
(function () {
  "use strict";
  if (typeof window.echarts === "undefined") { return; }
  var echarts = window.echarts;
  var root = getComputedStyle(document.documentElement);
  var colour = function (name, fallback) {
    return (root.getPropertyValue(name) || "").trim() || fallback;
  };
  var ink = colour("--ink", "#1b1f24");
  var muted = colour("--muted", "#555d66");
  var line = colour("--line", "#d0d5db");
  var accent = colour("--accent", "#0b5cad");
  var before = "#8fb3d9";
  var language = document.documentElement.lang || "es";
  var numbers = new Intl.NumberFormat(language);
  var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var charts = [];

  var read = function (id) {
    var source = document.getElementById(id);
    return source ? JSON.parse(source.textContent) : null;
  };
  var shown = function (value) {
    return value === null || value === undefined || value === "-" ? "—" : numbers.format(value);
  };

  var barChart = function (element, data) {
    var compared = Array.isArray(data.before);
    var rows = data.labels.length;
    element.style.height = Math.max(140, rows * (compared ? 42 : 28) + (compared ? 70 : 40)) + "px";
    var chart = echarts.init(element, null, { renderer: "canvas" });
    var series = [{
      name: data.names[0], type: "bar", data: data.now, itemStyle: { color: accent },
      label: { show: true, position: "right", color: ink, fontSize: 13, formatter: function (p) { return shown(p.value); } }
    }];
    if (compared) {
      series.push({ name: data.names[1], type: "bar", data: data.before, itemStyle: { color: before } });
    }
    chart.setOption({
      animation: !still,
      aria: { enabled: false },
      textStyle: { color: ink, fontFamily: "inherit", fontSize: 13 },
      legend: compared ? { top: 0, left: 0, textStyle: { color: ink, fontSize: 13 } } : { show: false },
      tooltip: {
        trigger: "axis", axisPointer: { type: "shadow" },
        valueFormatter: shown
      },
      grid: { left: 8, right: 48, top: compared ? 32 : 8, bottom: 8, containLabel: true },
      xAxis: {
        type: "value", minInterval: 1,
        axisLabel: { color: muted, formatter: function (v) { return numbers.format(v); } },
        splitLine: { lineStyle: { color: line } }
      },
      yAxis: {
        type: "category", inverse: true, data: data.labels,
        axisLabel: {
          color: ink, fontSize: 13, width: Math.max(90, Math.floor(element.clientWidth * 0.4)),
          overflow: "truncate"
        },
        axisLine: { lineStyle: { color: line } }
      },
      series: series
    });
    return chart;
  };

  // Channels over time: one colour each, told apart without relying on hue alone (the legend
  // and the tooltip name them, the table gives the numbers).
  var palette = [accent, "#e07b00", "#2e8540", "#8e44ad", "#c0392b", "#4a6272", "#b7950b",
    "#16a085", "#d35fa0", "#6b4f2a", "#7f8c8d"];
  var stackChart = function (element, data) {
    element.style.height = "320px";
    var chart = echarts.init(element, null, { renderer: "canvas" });
    chart.setOption({
      animation: !still,
      aria: { enabled: false },
      color: palette,
      textStyle: { color: ink, fontFamily: "inherit", fontSize: 13 },
      legend: { type: "scroll", top: 0, left: 0, right: 0, textStyle: { color: ink, fontSize: 13 } },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: function (v) {
        return v === null || v === undefined || v === "-" ? data.hidden : numbers.format(v);
      } },
      grid: { left: 8, right: 8, top: 40, bottom: 8, containLabel: true },
      xAxis: {
        type: "category", data: data.labels,
        axisLabel: { color: muted, hideOverlap: true }, axisLine: { lineStyle: { color: line } }
      },
      yAxis: {
        type: "value", minInterval: 1,
        axisLabel: { color: muted, formatter: function (v) { return numbers.format(v); } },
        splitLine: { lineStyle: { color: line } }
      },
      series: data.lines.map(function (one) {
        return { name: one.name, type: "bar", stack: "contacts", data: one.values, barMaxWidth: 48 };
      })
    });
    return chart;
  };

  var mapChart = function (element, data) {
    element.style.height = Math.max(260, Math.min(480, element.clientWidth * 0.75)) + "px";
    var chart = echarts.init(element, null, { renderer: "canvas" });
    chart.showLoading({ text: "", color: accent });
    fetch(data.url, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (shapes) {
        echarts.registerMap("districts", shapes);
        chart.hideLoading();
        chart.setOption({
          animation: !still,
          aria: { enabled: false },
          tooltip: {
            trigger: "item",
            formatter: function (p) {
              var value = p.data ? p.data.value : null;
              return p.name + ": " + (value === null ? data.names.hidden : shown(value));
            }
          },
          visualMap: {
            type: "continuous", min: 0, max: data.top, left: 0, bottom: 0, calculable: false,
            text: [numbers.format(data.top), "0"], textStyle: { color: ink },
            inRange: { color: ["#e8f0f8", accent] }
          },
          series: [{
            name: data.names.value, type: "map", map: "districts", roam: false,
            label: { show: element.clientWidth > 420, color: ink, fontSize: 12 },
            emphasis: { label: { show: true, color: ink }, itemStyle: { areaColor: colour("--focus", "#ffbf47") } },
            itemStyle: { borderColor: "#ffffff", borderWidth: 1, areaColor: colour("--soft", "#f3f5f7") },
            data: data.areas
          }]
        });
        element.dataset.drawn = "true";
      })
      .catch(function () {
        chart.dispose();
        element.hidden = true;
      });
    return chart;
  };

  document.querySelectorAll("[data-chart]").forEach(function (element) {
    var data = read(element.dataset.chart);
    if (data) {
      charts.push(data.kind === "stack" ? stackChart(element, data) : barChart(element, data));
      element.dataset.drawn = "true";
    }
  });
  document.querySelectorAll("[data-map]").forEach(function (element) {
    var data = read(element.dataset.map);
    if (data) { charts.push(mapChart(element, data)); }
  });
  var pending = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(function () {
      charts.forEach(function (chart) { if (!chart.isDisposed()) { chart.resize(); } });
    }, 150);
  });
}());
