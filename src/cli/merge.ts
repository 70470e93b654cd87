// merge.ts: `ratetest merge <files…>`: adds the latency histograms of several runs exactly, so the
// merged p99.9 is the true p99.9 of all their requests (averaging percentiles would not be).
// Inputs: HdrHistogram interval logs (--hdr-log; every interval of every tag) and ratetest JSON
// results (their encoded histograms).
import { Command, Option } from 'commander';
import { subcommandFailed } from './subcommand.js';
import { checkOutputPath, writeOutput } from './output-file.js';
import { HistogramLogReader, decodeFromCompressedBase64, type Histogram } from 'hdr-histogram-js';
import { EXIT_OK, UsageError } from '../common/errors.js';
import { emptyHistogram } from '../result/histogram.js';
import { parseResultJson, readFileText } from './read-result.js';
import { percentileSpectrum } from '../report/wrk-spectrum.js';
import { formatTimeUs } from '../report/wrk-format.js';

export interface Merged {
  corrected: Histogram;
  uncorrected: Histogram;
  files: number;
}

function addInto(target: Histogram, source: Histogram): void {
  // Logs written with another layout still merge: add() re-buckets value by value when needed.
  target.add(source);
}

function mergeJson(text: string, file: string, into: Merged): void {
  const json = parseResultJson(text, file);
  addInto(into.corrected, decodeFromCompressedBase64(json.latency.corrected.histogram, 64, false));
  if (json.latency.uncorrected?.histogram) addInto(into.uncorrected, decodeFromCompressedBase64(json.latency.uncorrected.histogram, 64, false));
}

function mergeLog(text: string, file: string, into: Merged): void {
  const reader = new HistogramLogReader(text, 64, false);
  let intervals = 0;
  for (let h = reader.nextIntervalHistogram(); h !== null; h = reader.nextIntervalHistogram()) {
    intervals += 1;
    addInto(h.tag === 'uncorrected' ? into.uncorrected : into.corrected, h);
  }
  if (intervals === 0) throw new UsageError(`${file}: no interval histograms found (expected an HdrHistogram log, as --hdr-log writes, or a ratetest JSON result)`);
}

/** Reads and adds every file's histograms. */
export function mergeFiles(files: string[]): Merged {
  const merged: Merged = { corrected: emptyHistogram(), uncorrected: emptyHistogram(), files: 0 };
  for (const file of files) {
    const text = readFileText(file);
    try {
      if (text.trimStart().startsWith('{')) mergeJson(text, file, merged);
      else mergeLog(text, file, merged);
    } catch (err) {
      if (err instanceof UsageError) throw err;
      // A damaged histogram: hdr-histogram-js's own message ("incorrect header check") with the file it came from.
      throw new UsageError(`${file}: a histogram in it cannot be decoded (${(err as Error).message})`);
    }
    merged.files += 1;
  }
  return merged;
}

function summary(name: string, h: Histogram): string {
  if (h.totalCount === 0) return `  ${name}: no requests\n`;
  const p = (q: number) => formatTimeUs(h.getValueAtPercentile(q) / 1e3);
  return `  ${name}: ${h.totalCount} requests, p50 ${p(50)}, p90 ${p(90)}, p99 ${p(99)}, p99.9 ${p(99.9)}, max ${formatTimeUs(h.maxValue / 1e3)}\n`;
}

export function formatMerged(merged: Merged): string {
  let text = `Merged ${merged.files} file${merged.files === 1 ? '' : 's'}\n`;
  text += summary('Corrected latency', merged.corrected);
  if (merged.uncorrected.totalCount > 0) text += summary('Uncorrected latency', merged.uncorrected);
  if (merged.corrected.totalCount > 0) {
    text += '\n  Detailed Percentile spectrum (corrected, ms):\n' + percentileSpectrum(merged.corrected, 5, 1e6);
  }
  return text;
}

export function mergeMain(argv: string[]): number {
  const program = new Command('ratetest merge')
    .description('Add the latency histograms of several runs exactly and print the merged distribution.')
    .argument('<files...>', 'HdrHistogram logs (--hdr-log) or ratetest JSON results (--json)')
    .addOption(new Option('--hgrm <file>', 'also write the merged corrected distribution as .hgrm (ms)'))
    .exitOverride()
    .configureOutput({ writeErr: () => {} });
  try {
    program.parse(argv);
    const hgrmPath = program.opts<{ hgrm?: string }>().hgrm;
    if (hgrmPath !== undefined) checkOutputPath(hgrmPath, '--hgrm');
    const merged = mergeFiles(program.args);
    process.stdout.write(formatMerged(merged));
    const hgrm = program.opts<{ hgrm?: string }>().hgrm;
    if (hgrm !== undefined) writeOutput(hgrm, merged.corrected.outputPercentileDistribution(5, 1e6), '--hgrm');
    return EXIT_OK;
  } catch (err) {
    return subcommandFailed('merge', err);
  }
}
