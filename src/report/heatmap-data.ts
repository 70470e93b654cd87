// heatmap-data.ts: latency over time as the cells of the HTML report's heatmap: a column per
// interval (neighbours merged when there are more than MAX_COLUMNS), rows on a log scale made of
// whole HdrHistogram buckets, about HEATMAP_ROWS of them over the run's own range, and a count in
// each cell, corrected and uncorrected on the same rows so the two can be told apart. Pure:
// intervals with their histograms in, plain arrays out.
import type { Histogram } from 'hdr-histogram-js';
import { emptyHistogram, highestEquivalentValue, iterateRecorded, lowestEquivalentValue } from '../result/histogram.js';
import { intervalHistogram, type Interval } from '../result/series.js';

/** About this many rows: enough to see a queue drain, few enough that each row has counts. */
export const HEATMAP_ROWS = 60;
/** More columns than a screen has pixels would only be averaged again by the canvas. */
export const MAX_COLUMNS = 1200;
const NS_PER_MS = 1e6;
const NS_PER_S = 1e9;

/** One latency kind's cells and lines, per column. */
export interface HeatmapLayer {
  /** Each column's non-empty cells, flattened: [row, count, row, count, ...]. */
  cells: number[][];
  /** The column's p50 and p99, ms; null where it timed no response. */
  p50Ms: (number | null)[];
  p99Ms: (number | null)[];
}

export interface HeatmapData {
  /** Each column's start and end, seconds from the schedule's start. */
  startS: number[];
  endS: number[];
  /** Row edges in ms, ascending: row r holds latencies from edgesMs[r] up to edgesMs[r + 1]. */
  edgesMs: number[];
  /** The largest count of any cell, corrected or uncorrected (the colour scale's top). */
  maxCount: number;
  corrected: HeatmapLayer;
  uncorrected: HeatmapLayer;
  /** Requests due per second in each column: the target rate. */
  targetPerSecond: number[];
  /** Errors in each column (read, write, timeout, parse, connect). */
  errors: number[];
}

interface Column {
  buckets: { corrected: [number, number][]; uncorrected: [number, number][] };
  lines: { corrected: [number | null, number | null]; uncorrected: [number | null, number | null] };
}

function percentilesMs(h: Histogram): [number | null, number | null] {
  return h.totalCount === 0 ? [null, null] : [h.getValueAtPercentile(50) / NS_PER_MS, h.getValueAtPercentile(99) / NS_PER_MS];
}

/** Row edges (ns): HEATMAP_ROWS steps of equal ratio from lowNs to highNs, each on a bucket's lowest value. */
export function rowEdges(layout: Histogram, lowNs: number, highNs: number): number[] {
  const low = Math.max(1, lowNs);
  const high = Math.max(low + 1, highNs);
  const edges: number[] = [];
  for (let k = 0; k < HEATMAP_ROWS; k++) {
    const edge = lowestEquivalentValue(layout, Math.round(low * (high / low) ** (k / HEATMAP_ROWS)));
    if (edges.length === 0 || edge > edges[edges.length - 1]!) edges.push(edge);
  }
  edges.push(highestEquivalentValue(layout, high) + 1);
  return edges;
}

/** The row holding valueNs: the last edge at or below it. */
function rowOf(edges: number[], valueNs: number): number {
  let lo = 0;
  let hi = edges.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (edges[mid]! <= valueNs) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * The heatmap of a run's intervals; undefined when they carry no histograms (or there are none).
 * rangeNs: the rows' span, when several heatmaps must share rows (compare); else the run's own.
 * maxColumns: past this many intervals, neighbours share a column.
 */
export function heatmapData(intervals: Interval[], rangeNs?: [lowNs: number, highNs: number], maxColumns = MAX_COLUMNS): HeatmapData | undefined {
  if (intervals.length === 0 || intervals.some((i) => !i.histograms)) return undefined;
  const perColumn = Math.ceil(intervals.length / maxColumns);
  const groups: Interval[][] = [];
  for (let i = 0; i < intervals.length; i += perColumn) groups.push(intervals.slice(i, i + perColumn));
  const merged = { corrected: emptyHistogram(), uncorrected: emptyHistogram() };
  let lowNs = Infinity;
  let highNs = 0;
  const columns: Column[] = groups.map((group) => {
    const column = { buckets: { corrected: [], uncorrected: [] }, lines: {} } as unknown as Column;
    for (const tag of ['corrected', 'uncorrected'] as const) {
      const h = merged[tag];
      h.reset();
      for (const interval of group) h.add(intervalHistogram(interval, tag));
      for (const { value, count } of iterateRecorded(h)) column.buckets[tag].push([value, count]);
      column.lines[tag] = percentilesMs(h);
      if (h.totalCount > 0) {
        lowNs = Math.min(lowNs, h.minNonZeroValue);
        highNs = Math.max(highNs, h.maxValue);
      }
    }
    return column;
  });
  const edges = rangeNs ? rowEdges(merged.corrected, rangeNs[0], rangeNs[1]) : rowEdges(merged.corrected, lowNs === Infinity ? 1 : lowNs, highNs);
  let maxCount = 0;
  const layer = (tag: 'corrected' | 'uncorrected'): HeatmapLayer => ({
    cells: columns.map((column) => {
      const rows = new Map<number, number>();
      for (const [value, count] of column.buckets[tag]) rows.set(rowOf(edges, value), (rows.get(rowOf(edges, value)) ?? 0) + count);
      const flat: number[] = [];
      for (const [row, count] of [...rows].sort((a, b) => a[0] - b[0])) {
        flat.push(row, count);
        maxCount = Math.max(maxCount, count);
      }
      return flat;
    }),
    p50Ms: columns.map((c) => c.lines[tag][0]),
    p99Ms: columns.map((c) => c.lines[tag][1]),
  });
  const corrected = layer('corrected');
  const uncorrected = layer('uncorrected');
  const startNs = groups.map((g) => g[0]!.startNs);
  const endNs = groups.map((g) => g[g.length - 1]!.endNs);
  const fullNs = groups[0]!.reduce((sum, i) => sum + (i.endNs - i.startNs), 0);
  return {
    startS: startNs.map((ns) => ns / NS_PER_S),
    endS: endNs.map((ns) => ns / NS_PER_S),
    edgesMs: edges.map((ns) => ns / NS_PER_MS),
    maxCount,
    corrected,
    uncorrected,
    // A short last column (the drain after the end) is a rate over a whole column, not a spike.
    targetPerSecond: groups.map((g, c) => (g.reduce((sum, i) => sum + i.due, 0) * NS_PER_S) / Math.max(fullNs, endNs[c]! - startNs[c]!)),
    errors: groups.map((g) => g.reduce((sum, i) => sum + i.errors, 0)),
  };
}
