// The files the pages load, all from the dashboard's own origin: uPlot from the installed package
// (no CDN), the chart script and the stylesheet from this module's constants.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { CHART_SCRIPT } from './chart-script.js';
import { STYLESHEET } from './stylesheet.js';

export interface Asset {
  type: string;
  body: string;
}

// Not named `require`: the bundled CLI (scripts/build-bundle.mjs) declares one at the top of each file.
const resolveHere = createRequire(import.meta.url);
const fromPackage = (file: string) => readFileSync(resolveHere.resolve(`uplot/dist/${file}`), 'utf8');

/** Read once on first use, then served from memory. */
export function loadAssets(): Map<string, Asset> {
  return new Map([
    ['dashboard.css', { type: 'text/css; charset=utf-8', body: STYLESHEET }],
    ['chart.js', { type: 'text/javascript; charset=utf-8', body: CHART_SCRIPT }],
    ['uPlot.iife.min.js', { type: 'text/javascript; charset=utf-8', body: fromPackage('uPlot.iife.min.js') }],
    ['uPlot.min.css', { type: 'text/css; charset=utf-8', body: fromPackage('uPlot.min.css') }],
  ]);
}
