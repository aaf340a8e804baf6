// Success-rate charts from the JSON the page embeds (no inline script). Names come from the
// database: every tooltip escapes them before ECharts renders its HTML.
(function () {
  "use strict";
  var source = document.getElementById("rates-data");
  if (!source || !window.echarts) return;
  var data = JSON.parse(source.textContent);
  var labels = data.labels || {};
  var charts = [];
  function escape(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function wan(value) { return Number(value).toLocaleString("zh-CN"); }
  function make(id, option) {
    var el = document.getElementById(id);
    if (!el) return;
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption(option);
    charts.push(chart);
  }
  var units = data.units || [];
  var height = Math.max(260, units.length * 34 + 80);
  var funnel = document.getElementById("chart-funnel");
  if (funnel) funnel.style.height = height + "px";
  make("chart-funnel", {
    grid: { left: 8, right: 24, top: 36, bottom: 16, containLabel: true },
    legend: { data: [labels.applied, labels.approved, labels.funded] },
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, formatter: function (items) {
      var lines = [escape(items[0].name)];
      items.forEach(function (p) { lines.push(escape(p.seriesName) + " " + p.value + " " + escape(labels.projects)); });
      return lines.join("<br>"); } },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", inverse: true, data: units.map(function (u) { return u.name; }),
      axisLabel: { width: 120, overflow: "truncate" } },
    series: [
      { name: labels.applied, type: "bar", data: units.map(function (u) { return u.applied; }), itemStyle: { color: "#94a3b8" } },
      { name: labels.approved, type: "bar", data: units.map(function (u) { return u.approved; }), itemStyle: { color: "#2563eb" } },
      { name: labels.funded, type: "bar", data: units.map(function (u) { return u.funded; }), itemStyle: { color: "#16a34a" } }
    ]
  });
  var money = data.money || {};
  make("chart-money", {
    grid: { left: 8, right: 24, top: 24, bottom: 16, containLabel: true },
    tooltip: { trigger: "item", formatter: function (p) {
      return escape(p.name) + ": " + wan(p.value) + " " + escape(labels.wan); } },
    xAxis: { type: "category", data: [labels.requested, labels.approved, labels.arrived] },
    yAxis: { type: "value", name: labels.wan, axisLabel: { formatter: wan } },
    series: [{ type: "bar", barMaxWidth: 56, label: { show: true, position: "top", formatter: function (p) { return wan(p.value); } },
      data: [
        { value: money.requested, itemStyle: { color: "#94a3b8" } },
        { value: money.approved, itemStyle: { color: "#2563eb" } },
        { value: money.arrived, itemStyle: { color: "#16a34a" } }
      ] }]
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
