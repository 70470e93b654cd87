// truth-check.ts: the demo's truth-check table (the target's own percentiles beside ratetest's
// corrected and uncorrected ones) and the `truth` command's percentile lines. Pure: figures in,
// text out. Times in milliseconds with three decimals, so the table parses as numbers.
import type { Histogram } from 'hdr-histogram-js';
import { TRUTH_PERCENTILES } from '../analysis/truth.js';
import { AGREE_SHARE, AGREE_SLACK_NS, type TruthCheck, type TruthCheckRow } from '../analysis/truth-check.js';

const ms = (ns: number) => (ns / 1e6).toFixed(3);
const signedMs = (ns: number) => (ns >= 0 ? '+' : '-') + ms(Math.abs(ns));
const pName = (p: number) => `p${p}`;
const TOLERANCE = `${AGREE_SHARE * 100}% + ${AGREE_SLACK_NS / 1e6} ms`;

/**
 *   Truth check (ms): the target's own log against ratetest
 *     percentile     target   ratetest  difference  uncorrected
 *     p50             0.512      0.530      +0.018        0.421
 */
export function formatTruthCheck(check: TruthCheck): string {
  const widths = [12, 11, 11, 12, 13];
  const row = (cells: string[]) => '  ' + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('') + '\n';
  let text = `\nTruth check (ms): the target's own log (${check.truthCount} requests answered) against ratetest (${check.toolCount} completed)\n`;
  text += row(['percentile', 'target', 'ratetest', 'difference', 'uncorrected']);
  for (const r of check.rows) text += row([pName(r.percentile), ms(r.truthNs), ms(r.correctedNs), signedMs(r.differenceNs), ms(r.uncorrectedNs)]);
  text += coordinatedOmission(check.rows);
  if (check.agrees) text += `  Agrees: every percentile is within ${TOLERANCE} of the target's truth.\n`;
  else text += check.rows.filter((r) => !r.agrees).map(disagreement).join('');
  return text;
}

/** The sentence on what a closed-loop tool would have hidden, at the percentile where it hides most. */
function coordinatedOmission(rows: TruthCheckRow[]): string {
  const worst = rows.reduce((a, b) => (b.truthNs - b.uncorrectedNs > a.truthNs - a.uncorrectedNs ? b : a));
  if (worst.truthNs - worst.uncorrectedNs < AGREE_SLACK_NS) {
    return '  Uncorrected: timed from each actual write, as a closed-loop tool times it, the figures are the same here: nothing was waiting.\n';
  }
  return (
    `  Uncorrected: a closed-loop tool, timing from each actual write, would report ${pName(worst.percentile)} ${ms(worst.uncorrectedNs)} ms ` +
    `against the true ${ms(worst.truthNs)} ms: coordinated omission hides the requests that waited behind each stall, because such a tool stops sending while the server stalls.\n`
  );
}

function disagreement(r: TruthCheckRow): string {
  return `  DISAGREES at ${pName(r.percentile)}: ratetest ${ms(r.correctedNs)} ms, target ${ms(r.truthNs)} ms, ${ms(Math.abs(r.differenceNs))} ms apart (allowed ${ms(r.allowedNs)}: ${TOLERANCE}).\n`;
}

/** The `truth` command's figures: count, then each percentile and the maximum. */
export function formatTruthPercentiles(latency: Histogram): string {
  let text = '';
  for (const p of TRUTH_PERCENTILES) text += `  ${pName(p).padEnd(8)}${ms(latency.getValueAtPercentile(p)).padStart(12)} ms\n`;
  text += `  ${'max'.padEnd(8)}${ms(latency.maxValue).padStart(12)} ms\n`;
  return text;
}
