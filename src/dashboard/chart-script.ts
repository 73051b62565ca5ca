// The one script the dashboard serves (from its own origin, /assets/chart.js; no inline script):
// it draws each chart with uPlot from the numbers of the table beside it, so a page without
// JavaScript still has every number.
export const CHART_SCRIPT = `'use strict';
document.querySelectorAll('table[data-chart]').forEach(function (table) {
  var target = document.getElementById(table.getAttribute('data-chart'));
  if (!target || typeof uPlot !== 'function') return;
  var heads = Array.prototype.map.call(table.tHead.rows[0].cells, function (c) { return c.textContent; });
  var rows = Array.prototype.slice.call(table.tBodies[0].rows);
  var data = heads.map(function () { return []; });
  rows.forEach(function (row) {
    Array.prototype.forEach.call(row.cells, function (cell, i) {
      data[i].push(i === 0 ? Number(cell.getAttribute('data-t')) : Number(cell.textContent));
    });
  });
  var colours = ['#1f5fbf', '#2e8540', '#b3541e', '#6b3fa0'];
  var series = [{}].concat(heads.slice(1).map(function (h, i) {
    return { label: h, stroke: colours[i % colours.length], width: 2 };
  }));
  var width = Math.max(300, Math.min(720, target.clientWidth || 720));
  new uPlot({ width: width, height: 240, series: series, scales: { x: { time: true } } }, data, target);
});
`;
