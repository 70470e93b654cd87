#!/usr/bin/env node
// merge-scale.mjs: what `ratetest merge` costs for a large fleet's interval logs. Writes synthetic
// one-shard .hlog files with the CLI's own log writer (a second per interval, corrected and
// uncorrected, latencies log-normal around 2 ms with a tail to 1.5 s), then times
// `ratetest merge` over 1, 10, … of them and reads its CPU time and peak RSS from /usr/bin/time
// (CPU time, because wall time on a shared machine measures the neighbours).
// Distinct logs are few (--distinct); the rest are links to them: reading and adding costs
// the same for a copy.
//
//   node bench/merge-scale.mjs [--shards 100] [--seconds 3600] [--rate 2000] [--distinct 4] [--steps 1,10,100]
import { spawnSync } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, openSync, rmSync, statSync, writeSync, closeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { HdrLogWriter } from '../dist/report/hdr-log.js';
import { emptyHistogram } from '../dist/result/histogram.js';

const here = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    shards: { type: 'string', default: '100' },
    seconds: { type: 'string', default: '3600' },
    rate: { type: 'string', default: '2000' },
    distinct: { type: 'string', default: '4' },
    steps: { type: 'string', default: '1,10,100' },
  },
});
const shards = Number(args.shards);
const seconds = Number(args.seconds);
const rate = Number(args.rate);
const distinct = Math.min(Number(args.distinct), shards);
const out = join(here, 'out', 'merge-scale');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

/** A deterministic generator, so every run of the bench writes the same logs. */
function random(seed) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function normal(next) {
  return Math.sqrt(-2 * Math.log(next() + 1e-12)) * Math.cos(2 * Math.PI * next());
}

function writeLog(path, seed) {
  const next = random(seed);
  const fd = openSync(path, 'w');
  const log = new HdrLogWriter((text) => writeSync(fd, text), { method: 'GET', url: 'http://target/', rate }, new Date(Date.UTC(2026, 11, 2)));
  for (let s = 0; s < seconds; s++) {
    const corrected = emptyHistogram();
    const uncorrected = emptyHistogram();
    // One second in 300 stalls: its requests wait up to 1.5 s (the tail a merge must keep).
    const stall = next() < 1 / 300 ? 1.5e9 * next() : 0;
    for (let i = 0; i < rate; i++) {
      const service = Math.min(2e6 * Math.exp(0.8 * normal(next)), 3.6e12);
      uncorrected.recordValue(Math.round(service));
      corrected.recordValue(Math.round(service + stall * (1 - i / rate)));
    }
    log.interval({ startNs: s * 1e9, endNs: (s + 1) * 1e9 }, { corrected, uncorrected });
  }
  closeSync(fd);
}

const t0 = performance.now();
for (let d = 0; d < distinct; d++) writeLog(join(out, `shard-${d}.hlog`), 1000 + d);
for (let i = distinct; i < shards; i++) linkSync(join(out, `shard-${i % distinct}.hlog`), join(out, `shard-${i}.hlog`));
const logBytes = statSync(join(out, 'shard-0.hlog')).size;
console.log(`wrote ${distinct} distinct logs of ${seconds} s at ${rate} req/s in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${(logBytes / 1e6).toFixed(1)} MB each (${(logBytes / seconds / 1024).toFixed(2)} KiB per second of run)`);

const bin = join(here, '..', 'bin', 'ratetest.js');
console.log('| logs | total MB | wall s | CPU s | peak RSS MB | CPU s per log |');
console.log('|---|---|---|---|---|---|');
for (const n of args.steps.split(',').map(Number).filter((n) => n <= shards)) {
  const files = Array.from({ length: n }, (_, i) => join(out, `shard-${i}.hlog`));
  const run = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', process.execPath, bin, 'merge', ...files], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const [wall, user, system, rssKb] = run.stderr.trim().split('\n').pop().split(' ').map(Number);
  if (run.status !== 0) throw new Error(`merge failed (${run.status}): ${run.stderr}`);
  const count = /Corrected latency: (\d+) requests/.exec(run.stdout)?.[1];
  if (Number(count) !== n * seconds * rate) throw new Error(`merged ${count} requests, expected ${n * seconds * rate}`);
  const cpu = user + system;
  console.log(`| ${n} | ${((n * logBytes) / 1e6).toFixed(0)} | ${wall.toFixed(1)} | ${cpu.toFixed(1)} | ${(rssKb / 1024).toFixed(0)} | ${(cpu / n).toFixed(2)} |`);
}
if (existsSync(out)) rmSync(out, { recursive: true, force: true });
