// Renders the cockpit charts from the JSON that the page embeds (no inline script, CSP-safe).
(function () {
  "use strict";
  var source = document.getElementById("cockpit-data");
  if (!source || !window.echarts) return;
  var data = JSON.parse(source.textContent);
  var css = getComputedStyle(document.documentElement);
  function colour(name) { return css.getPropertyValue("--" + name).trim() || "#888"; }
  var labels = data.labels || {};
  var charts = [];
  // 万元 with thousands separators, as the tables print them
  function wan(value) { return Number(value).toLocaleString("zh-CN"); }
  // Tooltips are HTML: every name in them (units and channels come from the back office and
  // from ledgers) is escaped, so a unit called "V<img src=x onerror=…>" stays text.
  var ENTITIES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
  function esc(value) {
    return String(value === null || value === undefined ? "" : value)
      .replace(/[&<>"']/g, function (c) { return ENTITIES[c]; });
  }

  function make(id, option) {
    var el = document.getElementById(id);
    if (!el) return null;
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption(option);
    charts.push(chart);
    return chart;
  }

  if (data.units) {
    var names = data.units.map(function (u) { return u.name; });
    var height = Math.max(320, data.units.length * 28 + 60);
    var el = document.getElementById("chart-units");
    if (el) el.style.height = height + "px";
    var chart = make("chart-units", {
      grid: { left: 8, right: 48, top: 24, bottom: 24, containLabel: true },
      tooltip: { trigger: "item", formatter: function (p) {
        var u = data.units[p.dataIndex];
        return esc(u.name) + "<br>" + esc(labels.rate) + " " + esc(u.rateText) + "<br>" +
          esc(u.statusLabel); } },
      xAxis: { type: "value", axisLabel: { formatter: "{value}%" }, max: function (v) { return Math.max(110, Math.ceil(v.max / 10) * 10); } },
      yAxis: { type: "category", data: names, inverse: true, axisLabel: { width: 130, overflow: "truncate" } },
      series: [{
        type: "bar", barMaxWidth: 18,
        data: data.units.map(function (u) { return { value: u.rate, itemStyle: { color: colour(u.status) } }; }),
        // the texts come from the page's one percent formatter (the table's 56%, not 55.8%)
        label: { show: true, position: "right", formatter: function (p) { return data.units[p.dataIndex].rateText; } },
        markLine: { symbol: "none", lineStyle: { type: "dashed", color: "#111" },
          label: { position: "start", formatter: labels.timeProgress + " " + data.timeProgressText },
          data: [{ xAxis: data.timeProgress }] }
      }]
    });
    if (chart) chart.on("click", function (p) { var url = data.units[p.dataIndex].url; if (url) window.location = url; });
  }

  if (data.months) {
    make("chart-months", {
      grid: { left: 8, right: 16, top: 36, bottom: 24, containLabel: true },
      tooltip: { trigger: "axis", formatter: function (params) {
        var lines = [esc(params.length ? params[0].axisValueLabel : "")];
        params.forEach(function (p) {
          var value = p.value === null || p.value === undefined ? "—" : wan(p.value);
          lines.push(p.marker + esc(p.seriesName) + " " + esc(value) + " " + esc(labels.wan));
        });
        return lines.join("<br>"); } },
      legend: { data: [labels.cumulative, labels.plan] },
      xAxis: { type: "category", data: data.months },
      yAxis: { type: "value", name: labels.wan, axisLabel: { formatter: wan } },
      series: [
        { name: labels.cumulative, type: "bar", data: data.cumulative, itemStyle: { color: colour("brand") } },
        { name: labels.plan, type: "line", data: data.plan, lineStyle: { type: "dashed" }, itemStyle: { color: "#111" } }
      ]
    });
  }

  function pie(id, rows) {
    if (!rows) return;
    make(id, {
      tooltip: { trigger: "item", formatter: function (p) {
        return esc(p.name) + ": " + esc(wan(p.value)) + " " + esc(labels.wan) +
          " (" + esc(p.percent) + "%)"; } },
      // a smaller ring leaves room for whole labels on a phone
      series: [{ type: "pie", radius: ["30%", "55%"], data: rows, percentPrecision: 0,
        label: { formatter: "{b}\n{d}%" }, labelLine: { length: 8, length2: 8 } }]
    });
  }
  pie("chart-levels", data.byLevel);
  if (data.byChannel) {
    make("chart-channels", {
      grid: { left: 8, right: 48, top: 8, bottom: 8, containLabel: true },
      tooltip: { trigger: "item", formatter: function (p) {
        return esc(p.name) + ": " + esc(wan(p.value)) + " " + esc(labels.wan); } },
      xAxis: { type: "value", name: labels.wan, splitNumber: 3,
        axisLabel: { formatter: wan, hideOverlap: true } },
      yAxis: { type: "category", data: data.byChannel.map(function (r) { return r.name; }), inverse: true },
      series: [{ type: "bar", barMaxWidth: 18, data: data.byChannel.map(function (r) { return r.value; }),
        itemStyle: { color: colour("accent") },
        label: { show: true, position: "right", formatter: function (p) { return wan(p.value); } } }]
    });
  }
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
