// truth-check.ts: does ratetest's corrected latency match the server's own truth? Percentile by
// percentile, within 2% of the truth plus 1 ms (the 1 ms covers what the two clocks cannot both
// see: the loopback trip, the server's own write, one histogram bucket). Pure: histograms in.
import type { Histogram } from 'hdr-histogram-js';
import { TRUTH_PERCENTILES } from './truth.js';

/** Allowed difference: this share of the truth... */
export const AGREE_SHARE = 0.02;
/** ...plus this, ns. */
export const AGREE_SLACK_NS = 1_000_000;

export interface TruthCheckRow {
  percentile: number;
  truthNs: number;
  correctedNs: number;
  /** What a closed-loop tool would have shown: from each request's actual write. */
  uncorrectedNs: number;
  /** correctedNs - truthNs. */
  differenceNs: number;
  /** The most |differenceNs| may be. */
  allowedNs: number;
  agrees: boolean;
}

export interface TruthCheck {
  rows: TruthCheckRow[];
  agrees: boolean;
  /** Requests in the truth, and in ratetest's corrected histogram. */
  truthCount: number;
  toolCount: number;
}

export function checkAgainstTruth(truth: Histogram, corrected: Histogram, uncorrected: Histogram): TruthCheck {
  const at = (h: Histogram, p: number) => (h.totalCount > 0 ? h.getValueAtPercentile(p) : 0);
  const rows = TRUTH_PERCENTILES.map((percentile) => {
    const truthNs = at(truth, percentile);
    const correctedNs = at(corrected, percentile);
    const allowedNs = AGREE_SHARE * truthNs + AGREE_SLACK_NS;
    const differenceNs = correctedNs - truthNs;
    return { percentile, truthNs, correctedNs, uncorrectedNs: at(uncorrected, percentile), differenceNs, allowedNs, agrees: Math.abs(differenceNs) <= allowedNs };
  });
  const agrees = truth.totalCount > 0 && corrected.totalCount > 0 && rows.every((r) => r.agrees);
  return { rows, agrees, truthCount: truth.totalCount, toolCount: corrected.totalCount };
}
