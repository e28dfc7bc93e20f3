// The reports page's charts, drawn with the vendored Chart.js from the figures the page carries
// in a JSON script element. Each chart has a table with the same figures beside it.
(function () {
  var source = document.getElementById("report-charts");
  if (!source || typeof Chart === "undefined") return;
  var colours = ["#1f4e5f", "#d08c2d", "#3c8d5a", "#8a4f7d", "#c0392b", "#5b6b7a"];
  JSON.parse(source.textContent).forEach(function (chart) {
    var canvas = document.getElementById("chart-" + chart.id);
    if (!canvas) return;
    new Chart(canvas, {
      type: chart.type,
      data: {
        labels: chart.labels,
        datasets: chart.series.map(function (series, i) {
          return { label: series.label, data: series.data, backgroundColor: colours[i % colours.length] };
        })
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        indexAxis: chart.labels.length > 6 && chart.id !== "per-month" ? "y" : "x",
        plugins: { legend: { display: chart.series.length > 1 } },
        scales: { x: { ticks: { precision: 0 } }, y: { beginAtZero: true, ticks: { precision: 0 } } }
      }
    });
  });
})();
