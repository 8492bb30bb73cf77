// Draws the charts of the regional indicators with Chart.js (vendored from npm).
// Each <canvas data-chart='{"type": …, "labels": […], "datasets": [{"label": …, "data": […]}]}'>
// carries its figures; the same figures stand in the table beside it, which is what
// screen readers and a page without JavaScript get.
(function () {
  "use strict";
  var COLORS = ["#2563eb", "#16a34a", "#f59e0b", "#dc2626", "#7c3aed", "#0891b2", "#db2777"];

  function draw(canvas) {
    if (canvas.dataset.drawn || typeof window.Chart === "undefined") return;
    var spec;
    try {
      spec = JSON.parse(canvas.dataset.chart);
    } catch (e) {
      return;
    }
    canvas.dataset.drawn = "1";
    var datasets = spec.datasets.map(function (d, i) {
      var color = d.color || COLORS[i % COLORS.length];
      var set = { label: d.label, data: d.data, backgroundColor: spec.type === "doughnut" ? COLORS : color, borderColor: color };
      if (d.line) {
        set.type = "line";
        set.fill = false;
        set.pointRadius = 0;
        set.borderDash = [6, 4];
        set.backgroundColor = color;
      }
      return set;
    });
    new window.Chart(canvas, {
      type: spec.type || "bar",
      data: { labels: spec.labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        indexAxis: spec.horizontal ? "y" : "x",
        plugins: { legend: { position: "bottom" } },
        scales: spec.type === "doughnut" ? {} : (spec.percent ? { y: { min: 0, max: 100 } } : {}),
      },
    });
  }

  function drawAll(root) {
    (root || document).querySelectorAll("canvas[data-chart]").forEach(draw);
  }

  document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  document.addEventListener("htmx:afterSwap", function (e) { drawAll(e.target); });
})();
