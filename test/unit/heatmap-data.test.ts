// The heatmap's cells: rows of whole HdrHistogram buckets on a log scale, about 60 over the run's
// range; every response in exactly one cell; corrected and uncorrected on the same rows; columns
// merged past MAX_COLUMNS; no heatmap without interval histograms.
import { encodeIntoCompressedBase64 } from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';
import { HEATMAP_ROWS, MAX_COLUMNS, heatmapData, rowEdges } from '../../src/report/heatmap-data.js';
import { bucketsToHistogram, emptyHistogram, lowestEquivalentValue } from '../../src/result/histogram.js';
import { latencyFigures, type Interval } from '../../src/result/series.js';

const MS = 1e6;

function interval(k: number, corrected: number[], uncorrected: number[], extra: Partial<Interval> = {}): Interval {
  const c = bucketsToHistogram(Float64Array.from(corrected));
  return {
    startNs: k * 100 * MS,
    endNs: (k + 1) * 100 * MS,
    due: 100,
    sent: 100,
    completed: c.totalCount,
    errors: 0,
    status: { '200': c.totalCount },
    ...latencyFigures(c),
    histograms: { corrected: encodeIntoCompressedBase64(c), uncorrected: encodeIntoCompressedBase64(bucketsToHistogram(Float64Array.from(uncorrected))) },
    ...extra,
  };
}

const cellTotal = (cells: number[]) => cells.reduce((sum, v, i) => (i % 2 === 1 ? sum + v : sum), 0);

describe('heatmapData', () => {
  it('makes about 60 rows of whole buckets over the range, ascending', () => {
    const layout = emptyHistogram();
    const edges = rowEdges(layout, 100_000, 500 * MS);
    expect(edges.length - 1).toBe(HEATMAP_ROWS);
    for (const edge of edges.slice(0, -1)) expect(lowestEquivalentValue(layout, edge)).toBe(edge);
    expect(edges.every((e, i) => i === 0 || e > edges[i - 1]!)).toBe(true);
    expect(edges.at(-1)).toBeGreaterThan(500 * MS);
    // A narrow range has fewer distinct buckets than rows: no empty duplicate rows.
    expect(rowEdges(layout, 1000, 1010).length).toBeLessThan(HEATMAP_ROWS);
  });

  it('puts every response in one cell, a stall high and a quiet interval low, and shares rows between the layers', () => {
    const quiet = interval(0, [1 * MS, 95, 2 * MS, 5], [1 * MS, 100]);
    const stall = interval(1, [50 * MS, 30, 200 * MS, 40, 300 * MS, 30], [1 * MS, 100], { errors: 3 });
    const hm = heatmapData([quiet, stall])!;
    expect(hm.startS).toEqual([0, 0.1]);
    expect(hm.endS).toEqual([0.1, 0.2]);
    expect(hm.corrected.cells.map(cellTotal)).toEqual([100, 100]);
    expect(hm.uncorrected.cells.map(cellTotal)).toEqual([100, 100]);
    const top = (cells: number[]) => Math.max(...cells.filter((_, i) => i % 2 === 0));
    expect(hm.edgesMs[top(hm.corrected.cells[1]!)]!).toBeGreaterThan(250);
    expect(hm.edgesMs[top(hm.corrected.cells[0]!) + 1]!).toBeLessThan(2.5);
    // Uncorrected, the stall is invisible: the same low row as the quiet interval's.
    expect(top(hm.uncorrected.cells[1]!)).toBe(top(hm.uncorrected.cells[0]!));
    expect(hm.maxCount).toBe(100);
    expect(hm.corrected.p99Ms[1]).toBeGreaterThan(290);
    expect(hm.targetPerSecond).toEqual([1000, 1000]);
    expect(hm.errors).toEqual([0, 3]);
  });

  it('merges neighbouring intervals past its column limit (MAX_COLUMNS unless given)', () => {
    expect(MAX_COLUMNS).toBe(1200);
    const many = Array.from({ length: 9 }, (_, k) => interval(k, [MS, 1], [MS, 1]));
    const hm = heatmapData(many, undefined, 4)!;
    // 9 intervals in at most 4 columns: 3 to a column, the last column's end the last interval's.
    expect(hm.startS).toEqual([0, 0.3, 0.6]);
    expect(hm.endS).toEqual([0.3, 0.6, 0.9]);
    expect(hm.corrected.cells.map(cellTotal)).toEqual([3, 3, 3]);
    expect(hm.targetPerSecond).toEqual([1000, 1000, 1000]);
  });

  it('has nothing to draw without interval histograms', () => {
    const { histograms: _, ...bare } = interval(0, [MS, 1], [MS, 1]);
    expect(heatmapData([bare])).toBeUndefined();
    expect(heatmapData([])).toBeUndefined();
  });
});
