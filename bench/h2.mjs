// h2.mjs: ratetest --http2 against h2load (nghttp2's load generator) on one private nginx (one
// worker), over h2c and h2 (TLS), one tool after another in one run, reported as ratios:
//   - closed-loop maximum (ratetest -R max, h2load as fast as it goes), 4 connections x 10 streams;
//   - CPU per request at the same fixed rate (h2load's --rps is per client: rate / connections),
//     ratetest at each send window of --batches (default 100us, its own default, to 1ms, h2load's
//     precision: --rps wakes on millisecond timers), which trades CPU for p50;
//   - p50 and p99 at 10k req/s against the unloaded h2 round trip (h2load -c1 -m1, closed loop).
// h2load prints no percentiles: its --log-file (one line per request: start, status, microseconds
// to the end of the response) gives them. --rounds N runs every row N times, interleaved, and
// reports each row's median (by completed/s or CPU): a shared machine's noise moves one run, not
// the median. RATETEST_BASELINE=/path/to/another/checkout adds that ratetest's rows: a change's
// before and after in one run. Not part of npm test.
//
//   apt-get install -y nginx-light nghttp2-client time
//   node bench/h2.mjs [--duration 10s] [--rate 10000] [--rounds 1] [--batches 100us,200us,500us,1ms]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findNginx, startNginx } from './nginx.mjs';

const RATETEST = fileURLToPath(new URL('../bin/ratetest.js', import.meta.url));
const OUT = mkdtempSync(join(tmpdir(), 'ratetest-bench-h2-'));
const CONNECTIONS = 4;
const STREAMS = 10;

const argv = process.argv.slice(2);
const option = (name, fallback) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
const durationS = Number(/^(\d+)s$/.exec(option('--duration', '10s'))?.[1]);
const rate = Number(option('--rate', '10000'));
const rounds = Number(option('--rounds', '1'));
const batches = option('--batches', '100us,200us,500us,1ms').split(',');
const BASELINE = process.env.RATETEST_BASELINE ? join(process.env.RATETEST_BASELINE, 'bin', 'ratetest.js') : undefined;
if (!(durationS > 0) || !(rate > 0) || !(Number.isInteger(rounds) && rounds > 0) || !batches.every((b) => /^\d+(us|ms)$/.test(b))) {
  console.error('usage: node bench/h2.mjs [--duration Ns] [--rate N] [--rounds N] [--batches 100us,1ms]');
  process.exit(2);
}
const binary = findNginx();
if (!binary) {
  console.error('nginx not found: apt-get install -y nginx-light');
  process.exit(2);
}

let serial = 0;
/** Runs argv under GNU time; resolves with its output, elapsed and CPU seconds. */
function measure(name, command) {
  const file = join(OUT, `${String(++serial).padStart(2, '0')}-${name}`);
  return new Promise((resolve) => {
    const child = spawn('/usr/bin/time', ['-o', `${file}.time`, '-f', '%e %U %S', ...command]);
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stdout += d));
    child.on('close', () => {
      const [elapsedS, userS, sysS] = readFileSync(`${file}.time`, 'utf8').trim().split('\n').pop().split(' ').map(Number);
      writeFileSync(`${file}.txt`, `$ ${command.join(' ')}\n${stdout}`);
      resolve({ stdout, elapsedS, cpuS: userS + sysS });
    });
  });
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

async function ratetest(label, target, extra, rateArg, binary = RATETEST) {
  const json = join(OUT, `${String(serial + 1).padStart(2, '0')}-ratetest.json`);
  const m = await measure('ratetest', ['node', binary, '--http2', '--streams', String(STREAMS), '-R', rateArg, '-d', `${durationS}s`, '-c', String(CONNECTIONS), '-t', '1', ...extra, '--json', json, target]);
  const j = JSON.parse(readFileSync(json, 'utf8'));
  const p = j.latency.corrected.percentilesNs;
  return {
    label,
    completed: j.completed,
    perSecond: j.completed / durationS,
    cpuS: m.cpuS,
    cpuUs: (m.cpuS * 1e6) / j.completed,
    pumpCpuUs: (j.selfCheck.threadCpuPercent.reduce((a, n) => a + n, 0) / 100) * (j.durationNs / 1e3) / j.completed,
    p50Us: p['50'] / 1e3,
    p99Us: p['99'] / 1e3,
    errors: Object.values(j.errors).reduce((a, n) => a + n, 0),
    note: `pump thread ${((j.selfCheck.threadCpuPercent.reduce((a, n) => a + n, 0) / 100) * (j.durationNs / 1e3) / j.completed).toFixed(1)} µs/request; pool: ${j.http2.allocatorCalls} nghttp2 allocations (${(j.http2.allocatorCalls / Math.max(1, j.completed)).toFixed(2)}/request), ${j.http2.systemAllocations} reached malloc`,
  };
}

async function h2load(label, target, extra, clients = CONNECTIONS, streams = STREAMS) {
  const log = join(OUT, `${String(serial + 1).padStart(2, '0')}-h2load.log`);
  const m = await measure('h2load', ['h2load', '-c', String(clients), '-m', String(streams), '-t', '1', '-D', String(durationS), '--log-file', log, ...extra, target]);
  const latencies = readFileSync(log, 'utf8').trim().split('\n').map((line) => Number(line.split('\t')[2])).sort((a, b) => a - b);
  const done = Number(/requests: \d+ total, \d+ started, (\d+) done/.exec(m.stdout)?.[1] ?? latencies.length);
  const failed = Number(/(\d+) failed, (\d+) errored/.exec(m.stdout)?.[1] ?? 0);
  return { label, completed: done, perSecond: done / durationS, cpuS: m.cpuS, cpuUs: (m.cpuS * 1e6) / done, p50Us: percentile(latencies, 50), p99Us: percentile(latencies, 99), errors: failed, note: 'uncorrected (h2load times from its own send)' };
}

function table(title, rows) {
  const f = (n, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '—');
  const lines = [`### ${title}`, '', '| tool | completed/s | CPU µs/request | less start-up | p50 µs | p99 µs | errors | note |', '|---|---|---|---|---|---|---|---|'];
  for (const r of rows) lines.push(`| ${r.label} | ${f(r.perSecond, 0)} | ${f(r.cpuUs)} | ${f(r.netCpuUs)} | ${f(r.p50Us)} | ${f(r.p99Us)} | ${r.errors} | ${r.note} |`);
  return lines.join('\n');
}

/**
 * CPU per request less what the same command costs at an idle rate (10 req/s) for as long:
 * ratetest's start-up (Node, its modules, the addon) is ~0.3–0.5 s of CPU, which in an 8 s run
 * is several µs per request; h2load, a C binary, starts in a few ms. The marginal cost compares
 * the engines; the whole-process figure is what a short run costs.
 */
function lessStartUp(row, idleCpuS) {
  return { ...row, netCpuUs: ((row.cpuS - idleCpuS) * 1e6) / row.completed };
}

/** The median run of a row: by completed/s for a closed loop, by CPU per request at a fixed rate. */
function median(runs, key) {
  const sorted = [...runs].sort((a, b) => a[key] - b[key]);
  const m = sorted[Math.floor((sorted.length - 1) / 2)];
  return runs.length > 1 ? { ...m, note: `median of ${runs.length} (${runs.map((r) => r[key].toFixed(1)).join(', ')}); ${m.note}` } : m;
}

/** Runs each row's thunk once per round, interleaved; the median run of each row. */
async function interleaved(rows, key) {
  const runs = rows.map(() => []);
  for (let r = 0; r < rounds; ++r) {
    for (let i = 0; i < rows.length; ++i) runs[i].push(await rows[i]());
  }
  return runs.map((row) => median(row, key));
}

const nginx = await startNginx(binary, { tls: true, http2: true });
const stop = () => nginx.stop();
process.on('exit', stop);
process.on('SIGINT', () => process.exit(130));
try {
  const report = [`# ratetest --http2 vs h2load, nginx (1 worker), ${CONNECTIONS} connections x ${STREAMS} streams, ${durationS} s each, ${rounds} round(s)`, ''];
  const builds = [[RATETEST, 'ratetest'], ...(BASELINE ? [[BASELINE, 'ratetest (baseline)']] : [])];
  for (const [name, target, ratetestExtra] of [
    ['h2c', nginx.h2cUrl, []],
    ['h2 (TLS)', nginx.httpsUrl, ['--ca', nginx.caFile]],
  ]) {
    // Warm nginx up, unreported.
    await measure('warmup', ['h2load', '-c', '4', '-m', '10', '-t', '1', '-D', '2', target]);
    const rtt = await h2load('h2load -c1 -m1 (unloaded round trip)', target, [], 1, 1);
    // Idle runs (10 req/s) of each command, for the CPU "less start-up".
    const idle = new Map();
    for (const [bin, label] of builds) idle.set(label, (await ratetest(`${label} idle`, target, ratetestExtra, '10', bin)).cpuS);
    idle.set('h2load', (await h2load('h2load idle', target, ['--rps', String(10 / CONNECTIONS)])).cpuS);
    const idleOf = (row) => idle.get([...idle.keys()].filter((k) => row.label.startsWith(k)).sort((a, b) => b.length - a.length)[0]) ?? 0;
    // --batch 0: a turn for every response (no gathering), as before the window applied here.
    const closedRuns = await interleaved(
      [
        ...builds.flatMap(([bin, label]) => [
          () => ratetest(`${label} -R max`, target, ratetestExtra, 'max', bin),
          () => ratetest(`${label} -R max --batch 0`, target, [...ratetestExtra, '--batch', '0'], 'max', bin),
        ]),
        () => h2load('h2load (closed loop)', target, []),
      ],
      'perSecond',
    );
    const closed = closedRuns.map((row) => lessStartUp(row, idleOf(row)));
    const fixedRuns = await interleaved(
      [
        ...builds.flatMap(([bin, label]) =>
          batches.map((batch) => () => ratetest(`${label} -R ${rate} --batch ${batch}`, target, [...ratetestExtra, '--batch', batch], String(rate), bin)),
        ),
        () => h2load(`h2load --rps ${rate / CONNECTIONS} (x ${CONNECTIONS} clients)`, target, ['--rps', String(rate / CONNECTIONS)]),
      ],
      'cpuUs',
    );
    const fixed = fixedRuns.map((row) => lessStartUp(row, idleOf(row)));
    const peer = fixed[fixed.length - 1];
    const ratios = fixed
      .slice(0, -1)
      .map((r) => `${r.label}: CPU ${(r.cpuUs / peer.cpuUs).toFixed(2)}× (less start-up ${(r.netCpuUs / peer.netCpuUs).toFixed(2)}×), p50 +${(r.p50Us - rtt.p50Us).toFixed(1)} µs`);
    report.push(
      table(`${name}: closed loop`, closed),
      '',
      ...closed.slice(0, -1).map((r) => `${r.label} ÷ h2load, closed-loop maximum: ${(r.perSecond / closed[closed.length - 1].perSecond).toFixed(2)}×`),
      '',
      table(`${name}: fixed rate ${rate} req/s; unloaded round trip p50 ${rtt.p50Us.toFixed(1)} µs (h2load -c1 -m1)`, [lessStartUp(rtt, idle.get('h2load')), ...fixed]),
      '',
      `÷ h2load at ${rate} req/s (CPU per request), and p50 over the unloaded round trip (h2load: +${(peer.p50Us - rtt.p50Us).toFixed(1)} µs):`,
      ...ratios.map((line) => `- ${line}`),
      '',
    );
  }
  console.log(report.join('\n'));
  console.error(`bench: every run's output is in ${OUT}`);
} finally {
  stop();
}
