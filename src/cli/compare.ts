// compare.ts: `ratetest compare <before.json> <after.json>`: the key figures of two runs side by
// side with the change and which side is better, for before/after a server change; with --html,
// a page drawing both (report/compare-html.ts).
import { checkOutputPath, writeOutput } from './output-file.js';
import { basename } from 'node:path';
import { Command, Option } from 'commander';
import { subcommandFailed } from './subcommand.js';
import { EXIT_OK } from '../common/errors.js';
import type { LatencyJson, ResultJson } from '../report/json.js';
import { formatTimeUs } from '../report/wrk-format.js';
import { readResultJson } from './read-result.js';
import { formatDurationShort } from '../common/units.js';

/** Which way is better for a figure: more (rates, completions) or less (latency, errors). */
type Better = 'higher' | 'lower' | 'neither';
type Unit = 'rate' | 'count' | 'ns' | 'percent';

export interface ComparisonRow {
  metric: string;
  unit: Unit;
  better: Better;
  /** null: the run has no such figure (a latency when it timed no response). */
  before: number | null;
  after: number | null;
  /** after - before; absent when either side has no figure. */
  change?: number;
  /** change / before, percent; absent when before is 0 or missing. */
  changePercent?: number;
  /** Which run is better on this figure, "same", or "n/a" for a setting (the requested rate) or a figure one side lacks. */
  verdict: 'before' | 'after' | 'same' | 'n/a';
}

export interface Comparison {
  before: string;
  after: string;
  rows: ComparisonRow[];
  /** Settings that differ between the runs ("rate 1000 -> 2000"): read the figures with them in mind. */
  differences: string[];
}

const SETTINGS = ['url', 'method', 'rate', 'threads', 'connections', 'durationNs', 'pipeline'] as const;

function differences(before: ResultJson, after: ResultJson): string[] {
  return SETTINGS.flatMap((key) => {
    const a = before.config[key as keyof ResultJson['config']];
    const b = after.config[key as keyof ResultJson['config']];
    const text = (v: unknown) => (key === 'durationNs' && typeof v === 'number' ? formatDurationShort(v) : String(v));
    return JSON.stringify(a) === JSON.stringify(b) ? [] : [`${key === 'durationNs' ? 'duration' : key}: ${text(a)} -> ${text(b)}`];
  });
}

/** Differences smaller than this share of the larger value read as "same" (bucket resolution, rounding). */
const SAME_WITHIN = 0.001;

function row(metric: string, unit: Unit, better: Better, before: number | null, after: number | null): ComparisonRow {
  if (before === null || after === null) return { metric, unit, better, before, after, verdict: 'n/a' };
  const change = after - before;
  const same = Math.abs(change) <= SAME_WITHIN * Math.max(Math.abs(before), Math.abs(after));
  const afterWins = better === 'higher' ? change > 0 : change < 0;
  return {
    metric,
    unit,
    better,
    before,
    after,
    change,
    ...(before !== 0 ? { changePercent: (change / before) * 100 } : {}),
    verdict: better === 'neither' ? 'n/a' : same ? 'same' : afterWins ? 'after' : 'before',
  };
}

const errorTotal = (r: ResultJson) => Object.values(r.errors).reduce((a, b) => a + b, 0);
/** A share of the requests sent, in percent: runs of different sizes compare. */
const share = (count: number, r: ResultJson) => (count / Math.max(r.sent, 1)) * 100;
/** A latency figure, or null when the run timed no response (0 would read as the best latency of all). */
const pct = (l: LatencyJson | undefined, key: string) => (l && l.count > 0 ? (l.percentilesNs[key] ?? null) : null);
const maxOf = (l: LatencyJson) => (l.count > 0 ? l.maxNs : null);

export function compareResults(before: ResultJson, after: ResultJson, names: [string, string] = ['before', 'after']): Comparison {
  const rows: ComparisonRow[] = [
    row('requested rate', 'rate', 'neither', before.requestedRate, after.requestedRate),
    row('achieved rate', 'rate', 'higher', before.achievedRate, after.achievedRate),
    row('completed', 'count', 'higher', before.completed, after.completed),
    row('errors', 'percent', 'lower', share(errorTotal(before), before), share(errorTotal(after), after)),
    row('non-2xx/3xx', 'percent', 'lower', share(before.non2xx3xx, before), share(after.non2xx3xx, after)),
  ];
  for (const key of ['50', '90', '99', '99.9']) {
    rows.push(row(`p${key}`, 'ns', 'lower', pct(before.latency.corrected, key), pct(after.latency.corrected, key)));
  }
  rows.push(row('max', 'ns', 'lower', maxOf(before.latency.corrected), maxOf(after.latency.corrected)));
  rows.push(row('uncorrected p99', 'ns', 'lower', pct(before.latency.uncorrected, '99'), pct(after.latency.uncorrected, '99')));
  rows.push(row('send lag p99', 'ns', 'lower', pct(before.latency.sendLag, '99'), pct(after.latency.sendLag, '99')));
  // Per request name, for the names both runs have (a --requests-file run).
  for (const request of before.requests ?? []) {
    const other = after.requests?.find((r) => r.name === request.name);
    if (other) rows.push(row(`${request.name} p99`, 'ns', 'lower', pct(request.latency.corrected, '99'), pct(other.latency.corrected, '99')));
  }
  return { before: names[0], after: names[1], rows, differences: differences(before, after) };
}

function show(value: number | null, unit: Unit): string {
  if (value === null) return '-';
  if (unit === 'ns') return formatTimeUs(value / 1e3);
  if (unit === 'rate') return `${value.toFixed(2)}/s`;
  if (unit === 'percent') return `${value.toFixed(3)}%`;
  return String(value);
}

function showChange(r: ComparisonRow): string {
  if (r.change === undefined) return '-';
  const sign = r.change > 0 ? '+' : r.change < 0 ? '-' : '';
  // A change of a share is in percentage points; the relative change follows in brackets.
  const magnitude = r.unit === 'percent' ? `${Math.abs(r.change).toFixed(3)} pts` : show(Math.abs(r.change), r.unit);
  const relative = r.changePercent === undefined ? '' : ` (${r.changePercent > 0 ? '+' : ''}${r.changePercent.toFixed(1)}%)`;
  return `${sign}${magnitude}${relative}`;
}

/** The table people read: one line per figure, aligned, the better side named. */
export function formatComparison(c: Comparison): string {
  const label = { before: basename(c.before), after: basename(c.after), same: '=', 'n/a': '' } as const;
  const head = ['', label.before, label.after, 'change', 'better'];
  const body = c.rows.map((r) => [r.metric, show(r.before, r.unit), show(r.after, r.unit), showChange(r), label[r.verdict]]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((line) => line[i]!.length)));
  const line = (cells: string[]) => ('  ' + cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ')).trimEnd() + '\n';
  const notes = c.differences.map((d) => `  note: the runs differ in ${d}\n`).join('');
  return line(head) + body.map(line).join('') + notes;
}

export async function compareMain(argv: string[]): Promise<number> {
  const program = new Command('ratetest compare')
    .description('Compare two runs (--json results): the key figures before and after, the change, and which is better.')
    .argument('<before>', 'JSON result of the first run (--json)')
    .argument('<after>', 'JSON result of the second run')
    .addOption(new Option('--json <file>', 'also write the comparison as JSON (- for stdout, the table then goes to stderr)'))
    .addOption(new Option('--html <file>', "also write a page drawing both runs: percentile curves on one axis, latency heatmaps side by side"))
    .exitOverride()
    .configureOutput({ writeErr: () => {} });
  try {
    program.parse(argv);
    const [beforeFile, afterFile] = program.args as [string, string];
    const { json, html } = program.opts<{ json?: string; html?: string }>();
    if (json !== undefined) checkOutputPath(json, '--json', { allowStdout: true });
    if (html !== undefined) checkOutputPath(html, '--html');
    const runs: [ResultJson, ResultJson] = [readResultJson(beforeFile), readResultJson(afterFile)];
    const comparison = compareResults(runs[0], runs[1], [beforeFile, afterFile]);
    const table = formatComparison(comparison);
    (json === '-' ? process.stderr : process.stdout).write(table);
    if (json !== undefined) writeOutput(json, JSON.stringify(comparison, null, 2) + '\n', '--json', { allowStdout: true });
    if (html !== undefined) {
      // The chart library and the page's code load only when a page is asked for.
      const { compareHtml } = await import('../report/compare-html.js');
      writeOutput(html, compareHtml(runs, [basename(beforeFile), basename(afterFile)], table), '--html');
    }
    return EXIT_OK;
  } catch (err) {
    return subcommandFailed('compare', err);
  }
}
