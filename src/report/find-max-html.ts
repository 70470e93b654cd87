// find-max-html.ts: find-max's --html page: p50/p99/p99.9 against the requested rate, one point
// per step, passes and failures marked, as a self-contained page with an inline SVG (no scripts,
// no network). The run report (report/html.ts) draws a single run; this page draws the search.
import type { Search, SearchOptions } from '../analysis/find-max.js';
import { escapeHtml as escape } from './html-escape.js';

const W = 720;
const H = 400;
const PAD = 56;
const SERIES: [number, string][] = [[50, '#2b7bb9'], [99, '#d9822b'], [99.9, '#c23030']];

/** `request`: the search's options and the URL it probed (the find-max command's request fits). */
export function findMaxHtml(search: Search, request: { search: SearchOptions; options: { url: string } }): string {
  const points = search.steps
    .filter((s) => s.result.corrected.totalCount > 0)
    .map((s) => ({ step: s, lat: SERIES.map(([p]) => s.result.corrected.getValueAtPercentile(p) / 1e6) }));
  const maxRate = Math.max(1, ...points.map((p) => p.step.rate));
  const maxMs = Math.max(1, ...points.flatMap((p) => p.lat));
  const x = (rate: number) => PAD + ((W - 2 * PAD) * rate) / maxRate;
  const y = (ms: number) => H - PAD - ((H - 2 * PAD) * ms) / maxMs;
  const sorted = [...points].sort((a, b) => a.step.rate - b.step.rate);
  const svg: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
    `<line x1="${PAD}" y1="${H - PAD}" x2="${W - PAD}" y2="${H - PAD}" stroke="#000"/>`,
    `<line x1="${PAD}" y1="${PAD}" x2="${PAD}" y2="${H - PAD}" stroke="#000"/>`,
    `<text x="${W / 2}" y="${H - 16}" text-anchor="middle">requested rate (req/s), max ${maxRate}</text>`,
    `<text x="16" y="${H / 2}" transform="rotate(-90 16 ${H / 2})" text-anchor="middle">latency (ms), max ${maxMs.toFixed(1)}</text>`,
  ];
  SERIES.forEach(([p, color], i) => {
    const path = sorted.map((pt) => `${x(pt.step.rate).toFixed(1)},${y(pt.lat[i]!).toFixed(1)}`).join(' ');
    svg.push(`<polyline fill="none" stroke="${color}" points="${path}"/>`);
    for (const pt of sorted) {
      const fill = pt.step.outcome === 'pass' ? color : '#fff';
      svg.push(`<circle cx="${x(pt.step.rate).toFixed(1)}" cy="${y(pt.lat[i]!).toFixed(1)}" r="3.5" stroke="${color}" fill="${fill}"><title>${pt.step.rate}/s ${pt.step.outcome}: p${p} ${pt.lat[i]!.toFixed(2)}ms</title></circle>`);
    }
    svg.push(`<text x="${W - PAD + 4}" y="${PAD + 16 * i}" fill="${color}">p${p}</text>`);
  });
  const answer = search.answer.maxRate;
  if (answer !== undefined) svg.push(`<line x1="${x(answer)}" y1="${PAD}" x2="${x(answer)}" y2="${H - PAD}" stroke="#2a2" stroke-dasharray="4 3"/>`);
  svg.push('</svg>');
  const slos = request.search.slos.map((s) => s.text).join(', ');
  const rows = search.steps
    .map((s) => `<tr><td>${s.kind}</td><td>${s.rate}</td><td>${s.result.achievedRate.toFixed(1)}</td><td>${s.outcome}</td></tr>`)
    .join('\n');
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>ratetest find-max ${escape(request.options.url)}</title></head>
<body style="font-family:sans-serif">
<h1>find-max: ${escape(request.options.url)}</h1>
<p>SLOs: ${escape(slos)}. Answer: ${answer !== undefined ? `${answer} req/s` : 'no rate met them'}${search.answer.lowestFail !== undefined ? ` (failed at ${search.answer.lowestFail} req/s)` : ''}. Filled points passed; hollow ones did not.</p>
${svg.join('\n')}
<table border="1" cellpadding="4"><tr><th>step</th><th>rate</th><th>achieved</th><th>outcome</th></tr>
${rows}
</table>
</body></html>
`;
}
