// merge.ts: `ratetest merge <inputs…>`: the flags, reading the inputs (files, or `-` for a stream
// such as `kubectl logs … | ratetest merge -`), and writing the merged result. The adding itself
// is analysis/merge.ts; this file only reads, dispatches and writes.
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import type { Histogram } from 'hdr-histogram-js';
import { subcommandFailed } from './subcommand.js';
import { checkOutputPath, writeOutput } from './output-file.js';
import { EXIT_OK, EXIT_THRESHOLD, UsageError } from '../common/errors.js';
import { parseResultJson, readFileText } from './read-result.js';
import { percentileSpectrum } from '../report/wrk-spectrum.js';
import { formatTimeUs } from '../report/wrk-format.js';
import { JSON_SCHEMA_ID, toJson, type ResultJson } from '../report/json.js';
import { jsonDocuments } from '../report/json-stream.js';
import { resultFromJson } from '../report/json-read.js';
import { readHdrLog, shardOfLog } from '../report/hdr-log.js';
import { formatHgrm } from '../report/hgrm.js';
import { addInto, checkShards, emptyMerge, mergeResults, type MergedHistograms, type ShardClaim, type Source } from '../analysis/merge.js';
// The run's own gate: the same grammar, the same exit code 1.
import { formatCriteriaFailures, judgeCriteria, parseCriterion } from '../analysis/criteria.js';
import type { Result } from '../result/result.js';

/** What was read: whole results (JSON), or histograms only (an interval log among the inputs). */
interface Inputs {
  results: Source<Result>[];
  histograms: MergedHistograms;
  /** Interval logs read (their names, for the message when an output needs whole results). */
  logs: string[];
  claims: ShardClaim[];
  /** Spans of a stream that opened like a result and did not parse. */
  unparsed: { source: string; count: number }[];
}

const nameOf = (arg: string) => (arg === '-' ? 'stdin' : arg);

function readText(arg: string): string {
  if (arg !== '-') return readFileText(arg);
  try {
    return readFileSync(0, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read stdin: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

function decoded<T>(source: string, read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof UsageError) throw err;
    // A damaged histogram: hdr-histogram-js's own message ("incorrect header check") with where it came from.
    throw new UsageError(`${source}: a histogram in it cannot be decoded (${(err as Error).message})`);
  }
}

function readInputs(args: string[]): Inputs {
  const inputs: Inputs = { results: [], histograms: emptyMerge(), logs: [], claims: [], unparsed: [] };
  for (const arg of args) {
    const text = readText(arg);
    const name = nameOf(arg);
    // Each result is decoded as it is found; its JSON tree is then garbage.
    let found = 0;
    const { documents: results, unparsed } = jsonDocuments(text, (d) => {
      if ((d as Partial<ResultJson> | null)?.schema !== JSON_SCHEMA_ID) return undefined;
      found += 1;
      return decoded(`${name} (document ${found})`, () => resultFromJson(d as ResultJson));
    });
    if (results.length === 0) {
      // A lone document that is not a result (or not JSON at all) says why in parseResultJson's words.
      if (text.trimStart().startsWith('{')) parseResultJson(text, name);
      const shard = shardOfLog(text);
      const intervals = decoded(name, () => readHdrLog(text, (tag, h: Histogram) => addInto(inputs.histograms, tag, h)));
      if (intervals === 0) {
        throw new UsageError(`${name}: no ratetest result or interval histograms found (expected --json results, one or several, or an HdrHistogram log, as --hdr-log writes)`);
      }
      inputs.logs.push(name);
      inputs.claims.push({ source: name, ...(shard ? { shard } : {}) });
      continue;
    }
    if (unparsed > 0) inputs.unparsed.push({ source: name, count: unparsed });
    results.forEach((result, k) => {
      const source = results.length === 1 ? name : `${name}#${k + 1}`;
      addInto(inputs.histograms, 'corrected', result.corrected);
      addInto(inputs.histograms, 'uncorrected', result.uncorrected);
      inputs.results.push({ source, value: result });
      inputs.claims.push({ source, ...(result.shard ? { shard: result.shard } : {}) });
    });
  }
  return inputs;
}

/** The API's merge of files: every input's corrected and uncorrected histograms added. */
export function mergeFiles(files: string[]): MergedHistograms & { files: number } {
  return { ...readInputs(files).histograms, files: files.length };
}

function summary(name: string, h: Histogram): string {
  if (h.totalCount === 0) return `  ${name}: no requests\n`;
  const p = (q: number) => formatTimeUs(h.getValueAtPercentile(q) / 1e3);
  return `  ${name}: ${h.totalCount} requests, p50 ${p(50)}, p90 ${p(90)}, p99 ${p(99)}, p99.9 ${p(99.9)}, max ${formatTimeUs(h.maxValue / 1e3)}\n`;
}

/** "shards 0-3 of 4, fingerprint …, start skew 2ms" for a fleet; "" for independent runs. */
function fleetNote(result: Result): string {
  const shards = result.shards!;
  const indices = shards.inputs.flatMap((i) => (i.shard ? [i.shard.index] : []));
  if (indices.length !== shards.count) return '';
  const count = shards.inputs[0]!.shard!.count;
  const sorted = [...indices].sort((a, b) => a - b);
  const contiguous = sorted.every((v, i) => v === sorted[0]! + i);
  const which = contiguous ? `${sorted[0]}-${sorted[sorted.length - 1]}` : sorted.join(',');
  const fingerprint = shards.fingerprint !== undefined ? `, fingerprint ${shards.fingerprint}` : ', fingerprints differ';
  return ` (shards ${which} of ${count}${fingerprint}, start skew ${formatTimeUs(shards.startSkewNs / 1e3)})`;
}

export function formatMerged(histograms: MergedHistograms, inputs: number, result?: Result): string {
  let text = result ? `Merged ${inputs} result${inputs === 1 ? '' : 's'}${fleetNote(result)}\n` : `Merged ${inputs} file${inputs === 1 ? '' : 's'}\n`;
  if (result) {
    const e = result.errors;
    const errors = e.connect + e.read + e.write + e.timeout + e.parse;
    text += `  sent ${result.sent}, completed ${result.completed}, errors ${errors}, non-2xx/3xx ${result.non2xx3xx}; ${result.achievedRate.toFixed(2)} req/s of ${result.config.rate} requested\n`;
  }
  text += summary('Corrected latency', histograms.corrected);
  if (histograms.uncorrected.totalCount > 0) text += summary('Uncorrected latency', histograms.uncorrected);
  if (histograms.corrected.totalCount > 0) {
    text += '\n  Detailed Percentile spectrum (corrected, ms):\n' + percentileSpectrum(histograms.corrected, 5, 1e6);
  }
  return text;
}

interface MergeFlags {
  expectShards?: string;
  threshold?: string[];
  json?: string;
  html?: string;
  hgrm?: string;
}

function expectedShards(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !(n >= 1)) throw new UsageError(`--expect-shards must be a whole number of shards, 1 or more, got "${value}"`);
  return n;
}

export async function mergeMain(argv: string[]): Promise<number> {
  const program = new Command('ratetest merge')
    .description('Add several runs exactly (a fleet\'s shards, or any runs): histograms bucket by bucket, counts, errors and per-second series; judge --threshold on the whole.')
    .argument('<inputs...>', 'ratetest JSON results (--json; a file or stream may hold several), HdrHistogram logs (--hdr-log), or - to read them from stdin')
    .addOption(new Option('--expect-shards <n>', 'require shards 0..n-1 of one fleet, each exactly once, with equal fingerprints (else exit 2)'))
    .addOption(new Option('--threshold <expr>', 'judge the merged result as a run does: p99<100ms, max<1s, errors<0.1%, non2xx=0, rate>=99% (repeatable; docs/criteria.md); exit 1 when one fails').argParser((v: string, prev: string[] = []) => [...prev, v]))
    .addOption(new Option('--json <file>', 'write the merged result (ratetest/result/v1, with a shards section; - for stdout, the text then goes to stderr)'))
    .addOption(new Option('--html <file>', 'write the merged result as an HTML report'))
    .addOption(new Option('--hgrm <file>', 'write the merged corrected distribution as .hgrm (ms)'))
    .exitOverride()
    .configureOutput({ writeErr: () => {} });
  try {
    program.parse(argv);
    const flags = program.opts<MergeFlags>();
    const expect = expectedShards(flags.expectShards);
    const thresholds = (flags.threshold ?? []).map((t) => parseCriterion(t, '--threshold'));
    if (flags.json !== undefined) checkOutputPath(flags.json, '--json', { allowStdout: true });
    if (flags.html !== undefined) checkOutputPath(flags.html, '--html');
    if (flags.hgrm !== undefined) checkOutputPath(flags.hgrm, '--hgrm');
    if (program.args.filter((a) => a === '-').length > 1) throw new UsageError('stdin (-) can be given once');

    const inputs = readInputs(program.args);
    const report = flags.json === '-' ? process.stderr : process.stdout;
    for (const u of inputs.unparsed) report.write(`ratetest merge: ${u.source}: ${u.count} JSON document${u.count === 1 ? '' : 's'} could not be parsed (cut short?) and ${u.count === 1 ? 'was' : 'were'} left out\n`);
    if (expect !== undefined) checkShards(inputs.claims, expect);

    const wholeResults = inputs.logs.length === 0;
    const needsWhole = [['--json', flags.json], ['--html', flags.html], ['--threshold', flags.threshold]].find(([, v]) => v !== undefined)?.[0];
    if (!wholeResults && needsWhole !== undefined) {
      throw new UsageError(`${needsWhole} needs JSON results (--json) as inputs: ${inputs.logs[0]} is an interval log, which holds latencies but not counts or errors`);
    }
    const merged = wholeResults ? mergeResults(inputs.results) : undefined;
    report.write(formatMerged(inputs.histograms, wholeResults ? inputs.results.length : program.args.length, merged));

    if (flags.hgrm !== undefined) writeOutput(flags.hgrm, merged ? formatHgrm(merged) : inputs.histograms.corrected.outputPercentileDistribution(5, 1e6), '--hgrm');
    if (merged && flags.json !== undefined) writeOutput(flags.json, JSON.stringify(toJson(merged), null, 2) + '\n', '--json', { allowStdout: true });
    if (merged && flags.html !== undefined) writeOutput(flags.html, (await import('../report/html.js')).formatHtml(merged), '--html');
    if (!merged || thresholds.length === 0) return EXIT_OK;
    const failures = formatCriteriaFailures(judgeCriteria(merged, thresholds));
    report.write(failures);
    return failures ? EXIT_THRESHOLD : EXIT_OK;
  } catch (err) {
    return subcommandFailed('merge', err);
  }
}
