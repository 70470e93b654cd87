#!/usr/bin/env node
// soak.mjs: a long run that must stay flat. Runs ratetest against a private nginx and samples
// ratetest's RSS and open file descriptors every second from /proc; then reports growth after
// the first minute (the warm-up: heaps, histograms and socket buffers reach their size there).
//
//   node bench/soak.mjs [--rate 20000] [--duration 10m] [--connections 100] [--threads 1]
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { findNginx, startNginx } from './nginx.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    rate: { type: 'string', default: '20000' },
    duration: { type: 'string', default: '10m' },
    connections: { type: 'string', default: '100' },
    threads: { type: 'string', default: '1' },
  },
});

const nginxBinary = findNginx();
if (!nginxBinary) {
  console.error('soak: nginx not found; apt-get install -y nginx-light');
  process.exit(2);
}
const nginx = await startNginx(nginxBinary);
const out = join(here, 'out');
mkdirSync(out, { recursive: true });
const jsonPath = join(out, 'soak-result.json');

const child = spawn(process.execPath, [join(here, '..', 'bin', 'ratetest.js'), '-R', args.rate, '-d', args.duration,
  '-c', args.connections, '-t', args.threads, '--json', jsonPath, nginx.url], { stdio: ['ignore', 'pipe', 'inherit'] });
let report = '';
child.stdout.on('data', (d) => (report += d));

function sample() {
  try {
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
    const fds = readdirSync(`/proc/${child.pid}/fd`).length;
    return { rssKb, fds };
  } catch {
    return undefined;
  }
}

const samples = [];
const started = Date.now();
const timer = setInterval(() => {
  const s = sample();
  if (s) samples.push({ second: Math.round((Date.now() - started) / 1000), ...s });
}, 1000);

const code = await new Promise((resolve) => child.on('close', resolve));
clearInterval(timer);
nginx.stop();

writeFileSync(join(out, 'soak-samples.csv'), 'second,rss_kb,fds\n' + samples.map((s) => `${s.second},${s.rssKb},${s.fds}`).join('\n') + '\n');
const after = samples.filter((s) => s.second >= 60);
const at60 = after[0];
const last = after[after.length - 1];
const maxAfter = after.reduce((m, s) => Math.max(m, s.rssKb), 0);
const result = JSON.parse(readFileSync(jsonPath, 'utf8'));
console.log(report.split('\n').filter((l) => /requests in|Rate:|Socket errors|Send lag|WARNING/.test(l)).join('\n'));
console.log(`exit ${code}; ${samples.length} samples`);
if (at60 && last) {
  console.log(`RSS at 60 s ${(at60.rssKb / 1024).toFixed(1)} MB, at end ${(last.rssKb / 1024).toFixed(1)} MB, max after 60 s ${(maxAfter / 1024).toFixed(1)} MB: growth ${((last.rssKb - at60.rssKb) / 1024).toFixed(1)} MB`);
  console.log(`fds at 60 s ${at60.fds}, at end ${last.fds}, max ${Math.max(...after.map((s) => s.fds))}`);
}
console.log(`completed ${result.completed} of ${result.scheduled} scheduled; corrected p99 ${(result.latency.corrected.percentilesNs['99'] / 1e3).toFixed(1)} us`);
