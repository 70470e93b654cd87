#!/usr/bin/env node
// run.mjs: ratetest side by side with wrk2 (when WRK2=/path/to/wrk2), wrk and autocannon against
// one private nginx, in one run, reporting ratios. Not part of npm test: timings depend on the
// machine. Every tool runs as a child under GNU time, which gives its CPU time and peak RSS.
//
//   node bench/run.mjs [--scenario rate|rtt|c10k|batch|all] [--duration 10s] [--rate 20000]
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { findNginx, startNginx } from './nginx.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const RATETEST = join(here, '..', 'bin', 'ratetest.js');
const AUTOCANNON = join(here, 'node_modules', 'autocannon', 'autocannon.js');
const OUT = join(here, 'out');

const { values: args } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'all' },
    duration: { type: 'string', default: '10s' },
    rate: { type: 'string', default: '20000' },
  },
});

function need(binary, hint) {
  if (!existsSync(binary)) {
    console.error(`bench: ${binary} not found; ${hint}`);
    process.exit(2);
  }
}
need('/usr/bin/time', 'apt-get install -y time');
const WRK2 = process.env.WRK2;
const WRK = ['/usr/bin/wrk', '/usr/local/bin/wrk'].find(existsSync);
const nginxBinary = findNginx();
if (!nginxBinary) {
  console.error('bench: nginx not found; apt-get install -y nginx-light');
  process.exit(2);
}

/** Runs a command under GNU time with a raised fd limit; returns output, CPU seconds and peak RSS. */
function measure(label, argv, timeoutMs) {
  return new Promise((resolve) => {
    const quoted = argv.map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
    const child = spawn('bash', ['-c', `ulimit -n 65536; exec /usr/bin/time -f '%U %S %M' ${quoted}`]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      const last = stderr.trim().split('\n').pop() ?? '';
      const [user, sys, rssKb] = last.split(' ').map(Number);
      mkdirSync(OUT, { recursive: true });
      writeFileSync(join(OUT, `${label.replace(/[^\w.-]+/g, '_')}.txt`), `$ ${argv.join(' ')}\n${stdout}\n--- stderr\n${stderr}`);
      resolve({ code, stdout, stderr, cpuS: user + sys, rssMb: rssKb / 1024 });
    });
  });
}

const seconds = (d) => Number(/^([\d.]+)s$/.exec(d)?.[1] ?? NaN);
const usOf = (text) => {
  const m = /^([\d.]+)(us|ms|s)$/.exec(text);
  return m ? Number(m[1]) * { us: 1, ms: 1e3, s: 1e6 }[m[2]] : NaN;
};
/** wrk/wrk2 text: count, p50 and p99 from the latency distribution. */
function parseWrk(out) {
  const count = Number(/(\d+) requests in/.exec(out)?.[1] ?? NaN);
  const pct = (p) => usOf((new RegExp(`^\\s*${p}(?:\\.000)?%\\s+([\\d.]+\\w+)`, 'm').exec(out) ?? [])[1] ?? '');
  return { count, p50: pct('50'), p99: pct('99') };
}

async function runTool(tool, { rate, connections, threads, duration, extra = [] }) {
  const d = seconds(duration);
  const timeoutMs = (d + 60) * 1000;
  let argv;
  switch (tool) {
    case 'ratetest':
      argv = ['node', RATETEST, '-R', String(rate), '-d', duration, '-c', String(connections), '-t', String(threads), ...extra, url];
      break;
    case 'wrk2':
      argv = [WRK2, '-R', String(rate), '-d', duration, '-c', String(connections), '-t', String(threads), '--latency', url];
      break;
    case 'wrk':
      argv = [WRK, '-d', duration, '-c', String(connections), '-t', String(threads), '--latency', url];
      break;
    case 'autocannon':
      argv = ['node', AUTOCANNON, '-c', String(connections), '-d', String(d), ...(rate ? ['-R', String(rate)] : []), '--json', url];
      break;
  }
  const label = `${tool}${extra.length ? ' ' + extra.join(' ') : ''}`;
  const m = await measure(`${label}-${rate}-${connections}c`, argv, timeoutMs);
  let count, p50, p99;
  if (tool === 'autocannon') {
    try {
      const j = JSON.parse(m.stdout);
      count = j.requests.total;
      p50 = j.latency.p50 * 1000;
      p99 = j.latency.p99 * 1000;
    } catch {
      count = p50 = p99 = NaN;
    }
  } else {
    ({ count, p50, p99 } = parseWrk(m.stdout));
  }
  return { label, rate, count, achieved: count / d, cpuUsPerReq: (m.cpuS * 1e6) / count, p50, p99, rssMb: m.rssMb, code: m.code };
}

function table(title, rows, base) {
  const f = (n, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
  const lines = [`### ${title}`, '', '| tool | requested/s | achieved/s | % | CPU µs/req | p50 µs | p99 µs | peak RSS MB | CPU vs ' + (base ?? '-') + ' |', '|---|---|---|---|---|---|---|---|---|'];
  const baseRow = rows.find((r) => r.label === base);
  for (const r of rows) {
    const ratio = baseRow ? r.cpuUsPerReq / baseRow.cpuUsPerReq : NaN;
    const pct = r.rate ? (100 * r.achieved) / r.rate : NaN;
    lines.push(`| ${r.label} | ${r.rate ?? 'max'} | ${f(r.achieved, 0)} | ${f(pct, 2)} | ${f(r.cpuUsPerReq)} | ${f(r.p50)} | ${f(r.p99)} | ${f(r.rssMb)} | ${f(ratio, 2)}× |`);
  }
  console.log(lines.join('\n') + '\n');
}

const peers = (rate) => [...(WRK2 ? ['wrk2'] : []), ...(existsSync(AUTOCANNON) && rate ? ['autocannon'] : [])];

const scenarios = {
  // The headline: a fixed 20k req/s over 100 connections on one thread.
  async rate() {
    const rate = Number(args.rate);
    const shape = { rate, connections: 100, threads: 1, duration: args.duration };
    const rows = [await runTool('ratetest', shape)];
    rows.push(await runTool('ratetest', { ...shape, extra: ['--batch', '200us'] }));
    for (const tool of peers(rate)) rows.push(await runTool(tool, shape));
    table(`Fixed rate: -R ${rate} -c 100 -t 1 -d ${args.duration}`, rows, WRK2 ? 'wrk2' : undefined);
  },
  // How close each tool's p50 at 10k req/s is to the unloaded round trip (wrk -c1).
  async rtt() {
    const rows = [];
    if (WRK) rows.push({ ...(await runTool('wrk', { connections: 1, threads: 1, duration: '5s' })), label: 'wrk -c1 (unloaded RTT)', rate: undefined });
    const shape = { rate: 10000, connections: 100, threads: 1, duration: args.duration };
    rows.push(await runTool('ratetest', shape));
    rows.push(await runTool('ratetest', { ...shape, extra: ['--batch', '0'] }));
    if (WRK2) rows.push(await runTool('wrk2', shape));
    table('p50 at 10k req/s vs the unloaded round trip', rows, WRK2 ? 'wrk2' : undefined);
  },
  // 10,000 connections on 2 threads at 10k req/s.
  async c10k() {
    const shape = { rate: 10000, connections: 10000, threads: 2, duration: args.duration };
    const rows = [await runTool('ratetest', shape)];
    if (WRK2) rows.push(await runTool('wrk2', shape));
    if (WRK) rows.push({ ...(await runTool('wrk', { connections: 10000, threads: 2, duration: args.duration })), label: 'wrk (closed loop, max)', rate: undefined });
    if (existsSync(AUTOCANNON)) rows.push({ ...(await runTool('autocannon', { connections: 10000, duration: args.duration })), label: 'autocannon (closed loop, max)', rate: undefined });
    const idle = await runTool('ratetest', { rate: 10, connections: 10000, threads: 2, duration: '5s' });
    rows.push({ ...idle, label: 'ratetest idle (10k conns, 10 req/s)' });
    table('10,000 connections, -t 2, 10k req/s', rows, WRK2 ? 'wrk2' : undefined);
  },
  // CPU per request against the send window.
  async batch() {
    const rows = [];
    for (const batch of ['0', '50us', '100us', '200us', '500us']) {
      rows.push(await runTool('ratetest', { rate: Number(args.rate), connections: 100, threads: 1, duration: args.duration, extra: ['--batch', batch] }));
    }
    if (WRK2) rows.push(await runTool('wrk2', { rate: Number(args.rate), connections: 100, threads: 1, duration: args.duration }));
    table(`Send window vs CPU at -R ${args.rate}`, rows, WRK2 ? 'wrk2' : undefined);
  },
};

const nginx = await startNginx(nginxBinary);
const url = nginx.url;
try {
  const cpus = spawnSync('nproc', { encoding: 'utf8' }).stdout.trim();
  console.log(`nginx ${url} (1 worker); ${cpus} cores; wrk2: ${WRK2 ?? 'not set (WRK2=path)'}; autocannon: ${existsSync(AUTOCANNON) ? 'yes' : 'no (cd bench && npm install)'}\n`);
  const chosen = args.scenario === 'all' ? Object.keys(scenarios) : [args.scenario];
  for (const name of chosen) {
    if (!scenarios[name]) throw new Error(`unknown scenario ${name}; one of ${Object.keys(scenarios).join(', ')}, all`);
    await scenarios[name]();
  }
} finally {
  nginx.stop();
}
