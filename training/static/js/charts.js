// The supervisor's cohort charts: drawn with the vendored Chart.js from the JSON data block the
// page carries (no inline script, so the Content-Security-Policy can forbid them). Each chart
// also has a table on the page, so nothing depends on this script running.
(function () {
  "use strict";
  const source = document.getElementById("chart-data");
  if (!source || typeof Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  const colours = ["#d35400", "#2471a3", "#1e8449", "#7d3c98"];

  function datasets(series, extra) {
    return series.map((item, index) =>
      Object.assign(
        {
          label: item.label,
          data: item.data,
          borderColor: colours[index % colours.length],
          backgroundColor: colours[index % colours.length] + "b0",
        },
        extra || {},
      ),
    );
  }

  function axis(title) {
    return { beginAtZero: true, title: { display: true, text: title } };
  }

  const options = {
    maintainAspectRatio: false,
    animation: false,
    plugins: { legend: { position: "bottom" } },
  };

  const builders = {
    progress: (chart) => ({
      type: "line",
      data: { labels: chart.labels, datasets: datasets(chart.series, { pointRadius: chart.labels.length > 60 ? 0 : 3, tension: 0.2 }) },
      options: Object.assign({}, options, {
        scales: { x: { title: { display: true, text: data.axes.day } }, y: axis(data.axes.count) },
      }),
    }),
    scores: (chart) => ({
      type: "bar",
      data: { labels: chart.labels, datasets: datasets(chart.series) },
      options: Object.assign({}, options, {
        scales: { x: { title: { display: true, text: data.axes.score } }, y: axis(data.axes.count) },
      }),
    }),
    topics: (chart) => ({
      type: "bar",
      data: { labels: chart.labels, datasets: datasets(chart.series) },
      options: Object.assign({}, options, {
        indexAxis: "y",
        plugins: { legend: { display: false } },
        scales: { x: Object.assign(axis(data.axes.score), { max: 100 }) },
      }),
    }),
  };

  document.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
    const name = canvas.dataset.chart;
    if (builders[name] && data[name]) new Chart(canvas, builders[name](data[name]));
  });
})();
