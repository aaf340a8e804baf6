// Effect of urging by unit (median working days to the next update; the share answered
// within 2 working days is in the table, on its own scale), from the JSON the page embeds (no inline script). Unit names come
// from the database: the tooltip escapes them before ECharts renders its HTML.
(function () {
  "use strict";
  var source = document.getElementById("effect-data");
  var el = document.getElementById("chart-effect");
  if (!source || !el || !window.echarts) return;
  var data = JSON.parse(source.textContent);
  var units = data.units || [];
  var labels = data.labels || {};
  function escape(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  el.style.height = Math.max(260, units.length * 28 + 80) + "px";
  var chart = echarts.init(el, null, { renderer: "svg" });
  chart.setOption({
    grid: { left: 8, right: 24, top: 36, bottom: 16, containLabel: true },
    legend: { data: [labels.median] },
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, formatter: function (items) {
      var lines = [escape(items[0].name)];
      items.forEach(function (p) {
        lines.push(escape(p.seriesName) + " " + (p.value === null || p.value === undefined ? "—" : p.value));
      });
      return lines.join("<br>"); } },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", inverse: true, data: units.map(function (u) { return u.name; }),
      axisLabel: { width: 140, overflow: "truncate" } },
    series: [
      { name: labels.median, type: "bar", data: units.map(function (u) { return u.median; }), itemStyle: { color: "#2563eb" } }
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
