// by-name.ts: the text report's breakdown per request name (runs with a request file): how many
// of each were sent and answered, their corrected latency and their status codes. Pure.
import type { RequestResult } from '../result/result.js';
import { divide, fromNumber } from './long-double.js';
import { formatTimeUs } from './wrk-format.js';

const time = (ns: number) => formatTimeUs(divide(fromNumber(ns), 1000));

function statusText(status: Record<number, number>): string {
  const codes = Object.entries(status)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([code, count]) => `${code}: ${count}`);
  return codes.length > 0 ? codes.join(', ') : 'none';
}

/** A table, one row per request name: "  By request:" then the header row and the rows. */
export function byNameLines(requests: RequestResult[]): string[] {
  const header = ['name', 'weight', 'sent', 'completed', 'errors', 'p50', 'p99', 'max', 'status'];
  const rows = requests.map((r) => {
    const at = (p: number) => (r.corrected.totalCount > 0 ? time(r.corrected.getValueAtPercentile(p)) : '-');
    return [r.name, String(r.weight), String(r.sent), String(r.completed), String(r.errors), at(50), at(99), at(100), statusText(r.status)];
  });
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c]!.length)));
  // The name column reads left-aligned; numbers and times right-aligned; status codes last, as they come.
  const format = (row: string[]) =>
    '    ' +
    row
      .map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : c === row.length - 1 ? cell : cell.padStart(widths[c]!)))
      .join('  ');
  return ['  By request (corrected latency):', format(header), ...rows.map(format)];
}
