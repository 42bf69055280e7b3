/* The statistics page's charts (Apache ECharts, vendored). The numbers come from the
   <script type="application/json" id="stats-data"> block; the tables beside each chart hold the
   same numbers. No inline script or style: tooltips render as rich text, not HTML. */
/* While a worker recounts (the page says 「正在重新统计」), ask /stats/status/ every few seconds
   and reload once the numbers counted after the shown ones are in. */
(function () {
  var box = document.getElementById("stats-as-of");
  if (!box || !box.dataset.watch || !window.fetch) { return; }
  var shown = box.dataset.computedAt, tries = 0;
  function poll() {
    tries += 1;
    fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (status) {
        if (status && status.computed_at && new Date(status.computed_at) > new Date(shown) && !status.counting) {
          window.location.reload();
        } else if (tries < 120) {
          window.setTimeout(poll, tries < 10 ? 2000 : 5000);
        }
      })
      .catch(function () { if (tries < 120) { window.setTimeout(poll, 5000); } });
  }
  window.setTimeout(poll, 2000);
})();

(function () {
  var source = document.getElementById("stats-data");
  if (!source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var charts = [];
  var tooltip = { renderMode: "richText" };

  function draw(id, option) {
    var element = document.getElementById(id);
    if (!element) { return; }
    var chart = echarts.init(element, null, { renderer: "canvas" });
    chart.setOption(option);
    charts.push(chart);
  }

  function pie(items) {
    return {
      tooltip: Object.assign({ trigger: "item", formatter: "{b}: {c} ({d}%)" }, tooltip),
      legend: { bottom: 0 },
      series: [{ type: "pie", radius: ["35%", "65%"], data: items, label: { formatter: "{b}\n{c}" } }]
    };
  }

  // Ranked best first, top of the chart: ECharts draws category axes bottom-up, so reverse.
  draw("chart-on-time", {
    tooltip: Object.assign({ trigger: "axis", formatter: "{b}: {c}%" }, tooltip),
    grid: { left: 8, right: 40, top: 10, bottom: 10, containLabel: true },
    xAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
    yAxis: { type: "category", data: data.onTime.names.slice().reverse() },
    series: [{
      type: "bar", name: data.onTime.label, data: data.onTime.rates.slice().reverse(), barMaxWidth: 28,
      label: { show: true, position: "right", formatter: "{c}%" }
    }]
  });
  draw("chart-categories", pie(data.categories));
  draw("chart-satisfaction", pie(data.satisfaction));
  draw("chart-months", {
    tooltip: Object.assign({ trigger: "axis" }, tooltip),
    grid: { left: 8, right: 16, top: 20, bottom: 10, containLabel: true },
    xAxis: { type: "category", data: data.months.names },
    yAxis: { type: "value", minInterval: 1 },
    series: [{ type: "bar", name: data.months.label, data: data.months.values, barMaxWidth: 48, label: { show: true, position: "top" } }]
  });

  window.addEventListener("resize", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
})();
