#!/usr/bin/env node
// run.mjs: ratetest side by side with wrk2 (when WRK2=/path/to/wrk2), wrk and autocannon against
// one private nginx, one tool after another in one run, reported as ratios. Not part of npm test:
// timings depend on the machine. Every tool runs as a child under GNU time (CPU time, peak RSS).
//
//   node bench/run.mjs [--scenario rate|rtt|c10k|batch|https|closed|shards|start|pairs|io-engine|all] [--rate 20000] [--duration 10s]
//                      [--connections 100] [--threads 1]
//
// Prints markdown tables to stdout; raw outputs of every child go to bench/out/<run>/.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { findNginx, startNginx } from './nginx.mjs';
import { childrenOf, cpuSeconds, machineCpu } from './proc.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..');
const RATETEST = join(ROOT, 'bin', 'ratetest.js');
const AUTOCANNON = join(HERE, 'node_modules', 'autocannon', 'autocannon.js');
const TIME = '/usr/bin/time';
const SCENARIOS = ['rate', 'rtt', 'c10k', 'batch', 'https', 'closed', 'shards', 'start', 'pairs', 'io-engine'];
/** Rounds of the pairs scenario: each runs every pair once, the tools of a pair back to back. */
const PAIR_ROUNDS = 5;
/** Rounds of the start scenario: each runs node -e 0, --version and a short run once, interleaved. */
const START_ROUNDS = 7;
/** Rates tried, in order, for the highest one ratetest holds with 10,000 connections (5 s each). */
const C10K_LADDER = [20000, 40000, 60000, 80000, 100000];
/** A run "holds" a rate when it completes this share of the requested requests, with no errors. */
const HELD_SHARE = 0.99;
/** A row notes the CPU used by other work (not the tool, not nginx) above this many cores. */
const OTHERS_NOTED = 0.05;

// ---- arguments ---------------------------------------------------------------------------------

const USAGE = 'usage: node bench/run.mjs [--scenario rate|rtt|c10k|batch|https|closed|shards|start|pairs|io-engine|all] [--rate N] [--duration Ns|Nm] [--connections N] [--threads N]';

/** Bad input or a missing prerequisite: one line saying which, the usage, exit code 2. */
function usage(message) {
  console.error(`bench: ${message}`);
  console.error(USAGE);
  process.exit(2);
}

let args;
try {
  ({ values: args } = parseArgs({
    options: {
      scenario: { type: 'string', default: 'all' },
      duration: { type: 'string', default: '10s' },
      rate: { type: 'string' },
      connections: { type: 'string' },
      threads: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }));
} catch (error) {
  usage(error.message);
}
if (args.help) {
  console.log(`${USAGE}\nCompares ratetest with wrk2 (WRK2=/path/to/wrk2), wrk and autocannon against a private nginx; see bench/README.md.`);
  process.exit(0);
}

/** "10s", "2m" -> seconds (whole seconds: autocannon takes -d in seconds). */
function parseDuration(text) {
  const m = /^(\d+)(s|m)$/.exec(text);
  if (!m || Number(m[1]) === 0) usage(`--duration must be a whole number of seconds or minutes like 10s or 2m, got ${text}`);
  return Number(m[1]) * (m[2] === 'm' ? 60 : 1);
}
/** "20000", "20k" -> 20000; undefined stays undefined (the scenario's own value). */
function parseCount(flag, text) {
  if (text === undefined) return undefined;
  const m = /^(\d+)(k?)$/.exec(text);
  const n = m ? Number(m[1]) * (m[2] ? 1000 : 1) : NaN;
  if (!(n > 0)) usage(`--${flag} must be a positive whole number (20000 or 20k), got ${text}`);
  return n;
}
const DURATION_S = parseDuration(args.duration);
/** Flags given on the command line override every scenario's own shape. */
const OVERRIDE = {
  rate: parseCount('rate', args.rate),
  connections: parseCount('connections', args.connections),
  threads: parseCount('threads', args.threads),
};
const chosen = args.scenario === 'all' ? SCENARIOS : [args.scenario];
if (!SCENARIOS.includes(chosen[0])) usage(`--scenario must be one of ${SCENARIOS.join(', ')}, all; got ${args.scenario}`);

/** A scenario's shape with the command line's overrides applied. */
const shape = (defaults) => ({
  duration: DURATION_S,
  ...defaults,
  ...Object.fromEntries(Object.entries(OVERRIDE).filter(([, v]) => v !== undefined)),
});

// ---- what is installed -------------------------------------------------------------------------

/** Installs Debian packages when root with apt-get (a fresh machine); otherwise says what to run. */
function ensurePackages(missing) {
  if (missing.length === 0) return;
  const names = missing.map((m) => m.pkg);
  const canInstall = process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
  if (!canInstall) usage(`missing ${missing.map((m) => m.what).join(', ')}: apt-get install -y ${names.join(' ')}`);
  console.error(`bench: installing ${names.join(' ')} (apt-get)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  const installed = spawnSync('apt-get', ['install', '-y', '-qq', ...names], { stdio: 'inherit', env });
  if (installed.status !== 0) usage(`apt-get install -y ${names.join(' ')} failed`);
}

const findWrk = () => ['/usr/bin/wrk', '/usr/local/bin/wrk'].find((p) => existsSync(p));
ensurePackages([
  ...(findNginx() ? [] : [{ what: 'nginx', pkg: 'nginx-light' }]),
  ...(existsSync(TIME) ? [] : [{ what: 'GNU time (CPU time and peak RSS of each tool)', pkg: 'time' }]),
  ...(findWrk() ? [] : [{ what: 'wrk', pkg: 'wrk' }]),
]);
const NGINX = findNginx();
const WRK_BIN = findWrk();
const WRK2 = process.env.WRK2 || undefined;
/** Another built checkout of ratetest (RATETEST_BASELINE=/path), run beside this one: a change's before and after in one run. */
const BASELINE = process.env.RATETEST_BASELINE ? join(process.env.RATETEST_BASELINE, 'bin', 'ratetest.js') : undefined;
if (WRK2 && !existsSync(WRK2)) usage(`WRK2=${WRK2}: no such file`);
const HAVE_AUTOCANNON = existsSync(AUTOCANNON);
for (const built of ['build/Release/ratetest.node', 'dist/cli/main.js']) {
  if (!existsSync(join(ROOT, built))) usage(`${built} not found: run npm install at the repository root first`);
}

const RUN_ID = new Date().toISOString().replace(/[:.]/g, '-');
const OUT = join(HERE, 'out', RUN_ID);
mkdirSync(OUT, { recursive: true });

// ---- measuring one child -----------------------------------------------------------------------

/** Share of the machine's CPU busy over the next second (before nginx starts: other work). */
async function machineBusyPercent() {
  const a = machineCpu();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const b = machineCpu();
  return (100 * (b.busyS - a.busyS)) / (b.totalS - a.totalS);
}

/** The pairs scenario pins nginx to NGINX_CPU and each tool to TOOL_CPU, so neither steals the other's core. */
const NGINX_CPU = 0;
const TOOL_CPU = 1;
let pinTool = false;

let serial = 0;
/**
 * Runs argv under GNU time with the open-files limit raised as far as allowed, killed if it
 * outlives timeoutS. Returns its output, CPU seconds, peak RSS and the nginx worker's CPU meanwhile.
 */
function measure(name, argv, timeoutS) {
  const file = join(OUT, `${String(++serial).padStart(2, '0')}-${name.replace(/[^\w.-]+/g, '_')}`);
  const quoted = argv.map((a) => `'${String(a).replace(/'/g, "'\\''")}'`).join(' ');
  const pin = pinTool ? `taskset -c ${TOOL_CPU} ` : '';
  const script = `ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec ${pin}${TIME} -o '${file}.time' -f '%e %U %S %M' ${quoted}`;
  const nginxBefore = cpuSeconds(nginxWorkers);
  const machineBefore = machineCpu();
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', script]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutS * 1000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const nginxCpuS = cpuSeconds(nginxWorkers) - nginxBefore;
      const machineBusyS = machineCpu().busyS - machineBefore.busyS;
      let timing = '';
      try {
        timing = readFileSync(`${file}.time`, 'utf8').trim().split('\n').pop() ?? '';
      } catch {
        // killed before time wrote it
      }
      const [elapsedS, userS, sysS, rssKb] = timing.split(' ').map(Number);
      writeFileSync(`${file}.txt`, `$ ${argv.join(' ')}\n${stdout}\n--- stderr\n${stderr}\n--- exit ${code ?? signal}; time: ${timing}\n`);
      const cpuS = userS + sysS;
      // CPU that neither the tool nor nginx used while the tool ran: other work on the machine, in
      // cores (0.10 = a tenth of a core). Above a few hundredths the figures of that row are noisy.
      const othersCores = (machineBusyS - cpuS - nginxCpuS) / elapsedS;
      resolve({ code: code ?? signal, stdout, stderr, file, elapsedS, cpuS, rssMb: rssKb / 1024, nginxCpuS, othersCores });
    });
  });
}

// ---- parsing each tool's report ----------------------------------------------------------------

const UNIT_US = { ns: 1e-3, us: 1, ms: 1e3, s: 1e6, m: 60e6 };
const toUs = (text) => {
  const m = /^([\d.]+)(ns|us|ms|s|m)$/.exec(text ?? '');
  return m ? Number(m[1]) * UNIT_US[m[2]] : NaN;
};
/** wrk, wrk2 (and ratetest's text report, which uses wrk2's line forms). */
function parseWrkText(out) {
  const pct = (p) => toUs(new RegExp(`^\\s*${p}(?:\\.0+)?%\\s+([\\d.]+\\w+)\\s*$`, 'm').exec(out)?.[1]);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  return {
    completed: Number(/(\d+) requests in/.exec(out)?.[1] ?? NaN),
    p50Us: pct('50'),
    p99Us: pct('99'),
    errors: (socket ? socket.slice(1).reduce((a, n) => a + Number(n), 0) : 0) + non2xx,
  };
}
/** ratetest's JSON result (docs/json.md); undefined when it is missing or unreadable. */
function parseRatetestJson(file) {
  try {
    const j = JSON.parse(readFileSync(file, 'utf8'));
    const corrected = j.latency.corrected.percentilesNs;
    return {
      completed: j.completed,
      p50Us: corrected['50'] / 1e3,
      p99Us: corrected['99'] / 1e3,
      errors: Object.values(j.errors).reduce((a, n) => a + n, 0) + (j.non2xx3xx ?? 0),
      // The pump threads' own CPU (the self-check's), without Node's start-up and reporting.
      pumpUsPerReq: ((j.selfCheck.threadCpuPercent.reduce((a, n) => a + n, 0) / 100) * (j.durationNs / 1e3)) / j.completed,
      note: [
        `send lag p99 ${fmtUs(j.latency.sendLag?.percentilesNs?.['99'] / 1e3)} µs`,
        ...(j.tls ? [`TLS handshakes ${j.tls.handshakes} (${j.tls.resumed} resumed), handshake p50 ${fmtUs(j.tls.handshake.percentilesNs['50'] / 1e3)} µs`] : []),
        ...(j.tls && j.tls.errors.handshake + j.tls.errors.verify > 0 ? [`TLS errors ${j.tls.errors.handshake + j.tls.errors.verify}: ${j.tls.firstError}`] : []),
        ...(j.selfCheck && !j.selfCheck.ok ? [`self-check: ${j.selfCheck.verdict}`] : []),
      ].join('; '),
    };
  } catch {
    return undefined;
  }
}
/** autocannon --json: latencies in milliseconds. */
function parseAutocannon(out) {
  try {
    const j = JSON.parse(out.slice(out.indexOf('{')));
    return {
      completed: j.requests.total,
      p50Us: j.latency.p50 * 1e3,
      p99Us: j.latency.p99 * 1e3,
      errors: (j.errors ?? 0) + (j.timeouts ?? 0) + (j.non2xx ?? 0),
    };
  } catch {
    return { completed: NaN, p50Us: NaN, p99Us: NaN, errors: NaN };
  }
}

// ---- the tools ---------------------------------------------------------------------------------

/**
 * Runs one tool at one shape; `rate` undefined means closed loop (as fast as it goes).
 * @returns {Promise<Row>}
 * @typedef {{ label: string, rate?: number, completed: number, achieved: number, cpuUsPerReq: number,
 *   p50Us: number, p99Us: number, rssMb: number, errors: number, nginxUsPerReq: number, note?: string,
 *   compare?: false }} Row   compare: false = another shape than the scenario's, left out of the ratios
 */
async function runTool(tool, { rate, connections, threads, duration, extra = [], headers = [], target = url, label }) {
  const d = `${duration}s`;
  // -H for every tool (wrk, wrk2, ratetest and autocannon all take it).
  const h = headers.flatMap((header) => ['-H', header]);
  let argv;
  let jsonFile;
  switch (tool) {
    case 'ratetest':
    case 'baseline':
      jsonFile = join(OUT, `${String(serial + 1).padStart(2, '0')}-${tool}.json`);
      // No rate: closed loop (-R max), like wrk.
      argv = ['node', tool === 'baseline' ? BASELINE : RATETEST, '-R', rate ?? 'max', '-d', d, '-c', connections, '-t', threads, ...h, ...extra, '--json', jsonFile, target];
      break;
    case 'wrk2':
      argv = [WRK2, '-R', rate, '-d', d, '-c', connections, '-t', threads, ...h, '--latency', target];
      break;
    case 'wrk':
      argv = [WRK_BIN, '-d', d, '-c', connections, '-t', threads, ...h, '--latency', target];
      break;
    case 'autocannon':
      // -R is autocannon's overall rate; it has no threads flag (one event loop).
      argv = ['node', AUTOCANNON, '-c', connections, '-d', duration, ...h, ...(rate ? ['-R', rate] : []), '--json', target];
      break;
    default:
      throw new Error(`unknown tool ${tool}`);
  }
  label ??= [tool, ...extra.filter((a) => !a.startsWith('/')), rate ? '' : '(closed loop)'].join(' ').trim();
  process.stderr.write(`bench: ${label}: ${argv.map(String).join(' ')}\n`);
  const m = await measure(`${tool}-${rate ?? 'max'}-${connections}c${extra.join('')}`, argv, duration + 90);
  const parsed =
    tool === 'autocannon' ? parseAutocannon(m.stdout) : ((jsonFile && parseRatetestJson(jsonFile)) ?? parseWrkText(m.stdout));
  const note = [
    parsed.note,
    m.code === 0 ? '' : `exit ${m.code}`,
    m.othersCores > OTHERS_NOTED ? `other work: ${m.othersCores.toFixed(2)} cores` : '',
  ].filter(Boolean).join('; ');
  return {
    label,
    rate,
    ...parsed,
    achieved: parsed.completed / duration,
    cpuUsPerReq: (m.cpuS * 1e6) / parsed.completed,
    rssMb: m.rssMb,
    nginxUsPerReq: (m.nginxCpuS * 1e6) / parsed.completed,
    note,
  };
}

// ---- the report --------------------------------------------------------------------------------

function fmtUs(us) {
  if (!Number.isFinite(us)) return 'n/a';
  return us < 1000 ? us.toFixed(1) : Math.round(us).toLocaleString('en-US');
}
const fmt = (n, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const ratio = (a, b) => {
  const r = a / b;
  if (!Number.isFinite(r) || !(b > 0)) return '—';
  return `${r >= 0.1 ? r.toFixed(2) : r.toPrecision(2)}×`;
};

/** One markdown table; the ratio columns divide by the wrk2 row and by the wrk row when present. */
function table(title, rows, { wrk2Label = 'wrk2', wrkLabel } = {}) {
  const wrk2 = rows.find((r) => r.label === wrk2Label);
  const wrk = rows.find((r) => r.label === wrkLabel);
  const head = ['tool', 'requested/s', 'achieved/s', '% held', 'CPU µs/req', 'p50 µs', 'p99 µs', 'peak RSS MB', 'errors', 'nginx CPU µs/req'];
  if (wrk2) head.push('CPU ÷ wrk2', 'p99 ÷ wrk2', 'RSS ÷ wrk2');
  if (wrk) head.push('CPU ÷ wrk');
  head.push('notes');
  const lines = [`### ${title}`, '', `| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const r of rows) {
    const cells = [
      r.label,
      r.rate ?? 'max',
      fmt(r.achieved, 0),
      r.rate ? fmt((100 * r.achieved) / r.rate, 2) : 'n/a',
      fmt(r.cpuUsPerReq),
      fmtUs(r.p50Us),
      fmtUs(r.p99Us),
      fmt(r.rssMb),
      Number.isFinite(r.errors) ? r.errors : 'n/a',
      fmt(r.nginxUsPerReq),
    ];
    // Rows of another shape (idle, the rate ladder) get no ratios: they would compare unlike runs.
    const alike = r.compare !== false;
    if (wrk2) cells.push(...(alike ? [ratio(r.cpuUsPerReq, wrk2.cpuUsPerReq), ratio(r.p99Us, wrk2.p99Us), ratio(r.rssMb, wrk2.rssMb)] : ['—', '—', '—']));
    if (wrk) cells.push(alike ? ratio(r.cpuUsPerReq, wrk.cpuUsPerReq) : '—');
    cells.push(r.note ?? '');
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n') + '\n';
}

// ---- scenarios ---------------------------------------------------------------------------------

/** The middle of the finite values (the mean of the two middle ones for an even count). */
function median(xs) {
  const v = xs.filter(Number.isFinite).sort((x, y) => x - y);
  return v.length === 0 ? NaN : v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
}

/** 2 s of wrk before a scenario, not reported: the first tool measured should not pay nginx's cold start. */
async function warmup({ connections, threads }, target = url) {
  await measure(`warmup-${connections}c`, [WRK_BIN, '-d', '2s', '-c', connections, '-t', threads, target], 60);
}

const scenarios = {
  /** The headline: the same fixed rate from every tool, wrk's closed-loop maximum as reference. */
  async rate() {
    const s = shape({ rate: 20000, connections: 100, threads: 1 });
    await warmup(s);
    const rows = [await runTool('ratetest', s)];
    if (BASELINE) rows.push(await runTool('baseline', { ...s, label: 'ratetest (baseline)' }));
    if (WRK2) rows.push(await runTool('wrk2', s));
    if (HAVE_AUTOCANNON) rows.push(await runTool('autocannon', s));
    rows.push(await runTool('wrk', { ...s, rate: undefined }));
    const title = `rate: -R ${s.rate} -c ${s.connections} -t ${s.threads} -d ${s.duration}s`;
    return table(title, rows, { wrkLabel: 'wrk (closed loop)' });
  },

  /** How far each tool's p50 at 10k req/s is from the unloaded round trip (wrk -c1 -t1 p50). */
  async rtt() {
    const s = shape({ rate: 10000, connections: 100, threads: 1 });
    await warmup(s);
    const rows = [await runTool('wrk', { connections: 1, threads: 1, duration: Math.min(5, s.duration), label: 'wrk -c1 -t1 (unloaded round trip)' })];
    rows.push(await runTool('ratetest', s));
    if (BASELINE) rows.push(await runTool('baseline', { ...s, label: 'ratetest (baseline)' }));
    // The wider send windows that bring ratetest's CPU near wrk2's (see batch), at their cost in p50.
    for (const window of ['200us', '500us']) rows.push(await runTool('ratetest', { ...s, extra: ['--batch', window] }));
    if (WRK2) rows.push(await runTool('wrk2', s));
    if (HAVE_AUTOCANNON) rows.push(await runTool('autocannon', s));
    const rtt = rows[0].p50Us;
    const gaps = rows.slice(1).map((r) => `${r.label} p50 − unloaded p50 = ${fmtUs(r.p50Us - rtt)} µs`);
    return table(`rtt: p50 at -R ${s.rate} -c ${s.connections} -t ${s.threads} vs the unloaded round trip`, rows) + '\n' + gaps.join('  \n') + '\n';
  },

  /** 10,000 connections on 2 threads: a fixed 10k req/s, idle memory, and the highest rate held. */
  async c10k() {
    const s = shape({ rate: 10000, connections: 10000, threads: 2 });
    await warmup(s);
    const rows = [await runTool('ratetest', s)];
    if (WRK2) rows.push(await runTool('wrk2', s));
    if (HAVE_AUTOCANNON) rows.push(await runTool('autocannon', s));
    rows.push(await runTool('wrk', { ...s, rate: undefined }));
    // Idle: every connection open, almost nothing sent; its peak RSS is the cost of the connections.
    const idle = await runTool('ratetest', { ...s, rate: 10, duration: 5, label: 'ratetest idle (-R 10, 5s)' });
    rows.push({ ...idle, cpuUsPerReq: NaN, nginxUsPerReq: NaN, compare: false, note: `peak RSS with every connection open; ${idle.note}` });
    // The highest rate held: up the ladder until a step completes < 99% or has errors.
    let held;
    for (const rate of C10K_LADDER) {
      const r = await runTool('ratetest', { ...s, rate, duration: 5, label: `ratetest -R ${rate} (5s)` });
      rows.push({ ...r, compare: false });
      if (!(r.achieved >= HELD_SHARE * rate && r.errors === 0)) break;
      held = r;
    }
    // "Held" counts requests completed, not latency: the p99 says how much queueing it took.
    const summary =
      `Highest rate ratetest held with ${s.connections} connections (≥ ${HELD_SHARE * 100}% completed, no errors; ladder ${C10K_LADDER.join(', ')}): ` +
      (held ? `${held.rate}/s, p99 ${fmtUs(held.p99Us)} µs, CPU ${fmt(held.cpuUsPerReq)} µs/req.` : `none (below ${C10K_LADDER[0]}).`);
    return table(`c10k: ${s.connections} connections, -t ${s.threads}, -R ${s.rate}, -d ${s.duration}s`, rows, { wrkLabel: 'wrk (closed loop)' }) + '\n' + summary + '\n';
  },

  /**
   * The CPU targets as medians of interleaved pairs, nginx on one core and the tool on the other:
   * ratetest --batch 1ms against wrk2 at -R 20000 (equal precision: wrk2's 1 ms timers), the
   * default window against wrk2 at -R 10000 with each p50 against the unloaded round trip, and
   * the closed loop against wrk. A pair runs back to back, so a noisy minute hits both tools.
   */
  async pairs() {
    spawnSync('taskset', ['-a', '-cp', String(NGINX_CPU), String(nginx.pid)]);
    for (const pid of nginxWorkers) spawnSync('taskset', ['-a', '-cp', String(NGINX_CPU), String(pid)]);
    pinTool = true;
    const s = shape({ connections: 100, threads: 1 });
    await warmup(s);
    const pairs = [
      { title: `--batch 1ms vs wrk2, -R 20000`, a: ['ratetest', { ...s, rate: 20000, extra: ['--batch', '1ms'] }], b: WRK2 && ['wrk2', { ...s, rate: 20000 }] },
      { title: `default window vs wrk2, -R 10000`, a: ['ratetest', { ...s, rate: 10000 }], b: WRK2 && ['wrk2', { ...s, rate: 10000 }] },
      { title: `closed loop vs wrk`, a: ['ratetest', { ...s, rate: undefined }], b: ['wrk', { ...s, rate: undefined }] },
    ];
    const rtt = await runTool('wrk', { connections: 1, threads: 1, duration: Math.min(5, s.duration), label: 'wrk -c1 -t1 (unloaded round trip)' });
    const runs = pairs.map(() => ({ a: [], b: [] }));
    for (let round = 0; round < PAIR_ROUNDS; round++) {
      for (const [i, p] of pairs.entries()) {
        runs[i].a.push(await runTool(...p.a));
        if (p.b) runs[i].b.push(await runTool(...p.b));
      }
    }
    const lines = [
      `### pairs: medians of ${PAIR_ROUNDS} interleaved pairs, nginx on cpu${NGINX_CPU}, the tool on cpu${TOOL_CPU}, -c ${s.connections} -t ${s.threads} -d ${s.duration}s`,
      '',
      `Unloaded round trip (wrk -c1 -t1) p50: ${fmtUs(rtt.p50Us)} µs.`,
      '',
      '| pair | ratetest achieved/s | ratetest CPU µs/req | ratetest p50 µs | peer | peer achieved/s | peer CPU µs/req | peer p50 µs | CPU ratio | rate ratio | every ratio (CPU) |',
      '|---|---|---|---|---|---|---|---|---|---|---|',
    ];
    for (const [i, p] of pairs.entries()) {
      const { a, b } = runs[i];
      const m = (rows, key) => median(rows.map((r) => r[key]));
      const perPair = b.map((r, k) => ratio(a[k].cpuUsPerReq, r.cpuUsPerReq)).join(', ');
      lines.push(
        `| ${p.title} | ${fmt(m(a, 'achieved'), 0)} | ${fmt(m(a, 'cpuUsPerReq'))} | ${fmtUs(m(a, 'p50Us'))} | ${b[0]?.label ?? 'not run (WRK2 unset)'} | ${fmt(m(b, 'achieved'), 0)} | ${fmt(m(b, 'cpuUsPerReq'))} | ${fmtUs(m(b, 'p50Us'))} | ` +
          `${ratio(median(b.map((r, k) => a[k].cpuUsPerReq / r.cpuUsPerReq)), 1)} | ${ratio(median(b.map((r, k) => a[k].achieved / r.achieved)), 1)} | ${perPair} |`,
      );
    }
    const notes = runs.flatMap((r) => [...r.a, ...r.b]).filter((r) => r.note).map((r) => `${r.label}: ${r.note}`);
    pinTool = false;
    return lines.join('\n') + '\n' + (notes.length ? `\nNotes: ${[...new Set(notes)].join('; ')}\n` : '');
  },

  /**
   * --io-engine io_uring against epoll (and wrk2 when WRK2 is set, wrk in closed loop), pinned as
   * in pairs: at -R 20000 with a 1 ms window (where the prototype measured io_uring's win) and
   * in closed loop. Each round runs every arm of a shape back to back; the ratios are medians of
   * each round's io_uring ÷ epoll (and ÷ peer), so a noisy minute falls on both engines alike.
   */
  async 'io-engine'() {
    spawnSync('taskset', ['-a', '-cp', String(NGINX_CPU), String(nginx.pid)]);
    for (const pid of nginxWorkers) spawnSync('taskset', ['-a', '-cp', String(NGINX_CPU), String(pid)]);
    pinTool = true;
    const s = shape({ rate: 20000, connections: 100, threads: 1 });
    await warmup(s);
    const ring = ['--io-engine', 'io_uring'];
    const epoll = ['--io-engine', 'epoll'];
    const shapes = [
      { title: `-R ${s.rate} --batch 1ms`, uring: { ...s, extra: ['--batch', '1ms', ...ring] }, epoll: { ...s, extra: ['--batch', '1ms', ...epoll] }, peer: WRK2 && ['wrk2', s] },
      { title: 'closed loop (-R max)', uring: { ...s, rate: undefined, extra: ring }, epoll: { ...s, rate: undefined, extra: epoll }, peer: ['wrk', { ...s, rate: undefined }] },
    ];
    const runs = shapes.map(() => ({ uring: [], epoll: [], peer: [] }));
    for (let round = 0; round < PAIR_ROUNDS; round++) {
      for (const [i, sh] of shapes.entries()) {
        // Alternate which engine goes first, so neither always follows the peer.
        const order = round % 2 ? ['epoll', 'uring'] : ['uring', 'epoll'];
        for (const engine of order) runs[i][engine].push(await runTool('ratetest', sh[engine]));
        if (sh.peer) runs[i].peer.push(await runTool(...sh.peer));
      }
    }
    const m = (rows, key) => median(rows.map((r) => r[key]));
    const perRound = (a, b, key) => a.map((r, k) => r[key] / b[k]?.[key]);
    const lines = [
      `### io-engine: medians of ${PAIR_ROUNDS} interleaved rounds, nginx on cpu${NGINX_CPU}, the tool on cpu${TOOL_CPU}, -c ${s.connections} -t ${s.threads} -d ${s.duration}s`,
      '',
      'CPU µs/req: the whole process (GNU time); pump µs/req: the pump thread alone (the self-check\'s thread CPU), without Node.',
      '',
      '| shape | engine | achieved/s | CPU µs/req | pump µs/req | p50 µs | p99 µs | errors | io_uring ÷ epoll: CPU (each round) | pump CPU | rate | ÷ peer: CPU | rate |',
      '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ];
    for (const [i, sh] of shapes.entries()) {
      const { uring, epoll: ep, peer } = runs[i];
      const row = (name, rows, ratios) =>
        `| ${sh.title} | ${name} | ${fmt(m(rows, 'achieved'), 0)} | ${fmt(m(rows, 'cpuUsPerReq'))} | ${fmt(m(rows, 'pumpUsPerReq'))} | ${fmtUs(m(rows, 'p50Us'))} | ${fmtUs(m(rows, 'p99Us'))} | ${rows.reduce((a, r) => a + (r.errors || 0), 0)} | ${ratios} |`;
      const cpu = perRound(uring, ep, 'cpuUsPerReq');
      const vsPeer = peer.length
        ? `${ratio(median(perRound(uring, peer, 'cpuUsPerReq')), 1)} | ${ratio(median(perRound(uring, peer, 'achieved')), 1)}`
        : '— | —';
      lines.push(
        row('io_uring', uring, `${ratio(median(cpu), 1)} (${cpu.map((r) => fmt(r, 2)).join(', ')}) | ${ratio(median(perRound(uring, ep, 'pumpUsPerReq')), 1)} | ${ratio(median(perRound(uring, ep, 'achieved')), 1)} | ${vsPeer}`),
        row('epoll', ep, `— | — | — | ${peer.length ? `${ratio(median(perRound(ep, peer, 'cpuUsPerReq')), 1)} | ${ratio(median(perRound(ep, peer, 'achieved')), 1)}` : '— | —'}`),
      );
      if (peer.length) lines.push(row(peer[0].label, peer, '— | — | — | — | —'));
    }
    const notes = runs.flatMap((r) => [...r.uring, ...r.epoll, ...r.peer]).filter((r) => r.note).map((r) => `${r.label}: ${r.note}`);
    pinTool = false;
    return lines.join('\n') + '\n' + (notes.length ? `\nNotes: ${[...new Set(notes)].join('; ')}\n` : '');
  },

  /** ratetest's CPU per request against its send window (--batch), next to wrk2 at the same rate. */
  async batch() {
    const s = shape({ rate: 20000, connections: 100, threads: 1 });
    await warmup(s);
    const rows = [];
    for (const window of ['0', '50us', '100us', '200us', '500us', '1ms']) rows.push(await runTool('ratetest', { ...s, extra: ['--batch', window] }));
    if (WRK2) rows.push(await runTool('wrk2', s));
    return table(`batch: ratetest's send window at -R ${s.rate} -c ${s.connections} -t ${s.threads}`, rows);
  },

  /**
   * https against nginx's TLS port: a fixed rate over keep-alive connections (CPU per request
   * once the handshakes are done), then the handshake rate: `Connection: close`, so every
   * request is a new connection and a new handshake. ratetest verifies the certificate (--ca,
   * its default behaviour) and resumes sessions; wrk and wrk2 verify nothing and resume nothing,
   * so ratetest --insecure is shown too.
   */
  async https() {
    const target = nginx.httpsUrl;
    const ca = ['--ca', nginx.caFile];
    const s = shape({ rate: 10000, connections: 100, threads: 1 });
    await warmup(s, target);
    const keepAlive = [
      await runTool('ratetest', { ...s, target, extra: ca, label: 'ratetest --ca' }),
      await runTool('ratetest', { ...s, target, extra: [...ca, '--batch', '500us'], label: 'ratetest --ca --batch 500us' }),
    ];
    if (WRK2) keepAlive.push(await runTool('wrk2', { ...s, target }));
    keepAlive.push(await runTool('wrk', { ...s, rate: undefined, target }));
    const close = ['Connection: close'];
    const h = { ...s, rate: Math.min(s.rate, 1000), connections: Math.min(s.connections, 20), target, headers: close };
    const handshakes = [
      await runTool('ratetest', { ...h, extra: ca, label: 'ratetest --ca (Connection: close)' }),
      await runTool('ratetest', { ...h, extra: ['--insecure'], label: 'ratetest --insecure (Connection: close)' }),
    ];
    if (WRK2) handshakes.push(await runTool('wrk2', { ...h, label: 'wrk2' }));
    return (
      table(`https keep-alive: -R ${s.rate} -c ${s.connections} -t ${s.threads} -d ${s.duration}s against nginx TLS`, keepAlive, { wrkLabel: 'wrk (closed loop)' }) +
      '\n' +
      table(`https handshake rate: -H 'Connection: close' -R ${h.rate} -c ${h.connections} -t ${h.threads} -d ${h.duration}s (one handshake per request)`, handshakes)
    );
  },

  /** One schedule from 2 processes of 1 thread (--shard) against 1 process of 2 threads, in one run. */
  async shards() {
    const s = shape({ rate: 20000, connections: 100, threads: 2 });
    await warmup(s);
    const rows = [await runTool('ratetest', { ...s, label: `ratetest 1 process × ${s.threads} threads` })];
    rows.push(await runShards({ ...s, shards: s.threads }));
    rows.push(await runTool('ratetest', { ...s, label: `ratetest 1 process × ${s.threads} threads (again)` }));
    return table(`shards: -R ${s.rate} -c ${s.connections} -d ${s.duration}s, ${s.threads} shards × 1 thread vs 1 process × ${s.threads} threads`, rows);
  },

  /**
   * Start-up and memory: the wall time of `node -e 0` (Node's own start), `ratetest --version` and
   * a 1 s run at -R 100, interleaved round by round so the machine's noise falls on all three
   * alike; medians. Then the peak RSS of a plain -R 1000 -c 100 -t 2 run.
   */
  async start() {
    const runArgs = ['-R', '100', '-d', '1s', url];
    const walls = { node: [], version: [], run: [] };
    for (let round = 0; round < START_ROUNDS; round++) {
      walls.node.push((await measure('node-e-0', ['node', '-e', '0'], 60)).elapsedS);
      walls.version.push((await measure('ratetest-version', ['node', RATETEST, '--version'], 60)).elapsedS);
      walls.run.push((await measure('ratetest-R100-1s', ['node', RATETEST, ...runArgs], 60)).elapsedS);
    }
    const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const ms = (s) => fmt(s * 1000, 0);
    const node = median(walls.node);
    const lines = [
      `### start: medians of ${START_ROUNDS} interleaved rounds (wall ms, GNU time's 10 ms resolution)`,
      '',
      '| command | median ms | min–max ms | over node -e 0 ms | target |',
      '|---|---|---|---|---|',
      `| node -e 0 | ${ms(node)} | ${ms(Math.min(...walls.node))}–${ms(Math.max(...walls.node))} | — | — |`,
      `| ratetest --version | ${ms(median(walls.version))} | ${ms(Math.min(...walls.version))}–${ms(Math.max(...walls.version))} | ${ms(median(walls.version) - node)} | ≤ 40 |`,
      `| ratetest ${runArgs.slice(0, -1).join(' ')} | ${ms(median(walls.run))} | ${ms(Math.min(...walls.run))}–${ms(Math.max(...walls.run))} | ${ms(median(walls.run) - node)} | ≤ 1150 |`,
    ];
    // Peak RSS with the text report only, then with --json (whose encodings load hdr-histogram-js).
    const plainArgs = ['-R', '1000', '-c', '100', '-t', '2', '-d', `${DURATION_S}s`];
    const plain = await measure('ratetest-plain', ['node', RATETEST, ...plainArgs, url], 60 + DURATION_S);
    const json = await measure('ratetest-plain-json', ['node', RATETEST, ...plainArgs, '--json', join(OUT, 'plain.json'), url], 60 + DURATION_S);
    lines.push('', '| run | peak RSS MB | target |', '|---|---|---|');
    lines.push(`| ratetest ${plainArgs.join(' ')} | ${fmt(plain.rssMb)} | ≤ 50 |`, `| the same with --json | ${fmt(json.rssMb)} | — |`);
    return lines.join('\n') + '\n';
  },

  /** Closed loop at saturation: ratetest -R max against wrk, same connections and threads. */
  async closed() {
    const s = shape({ rate: undefined, connections: 100, threads: 1 });
    await warmup(s);
    const rows = [await runTool('wrk', { ...s, rate: undefined }), await runTool('ratetest', { ...s, rate: undefined })];
    rows.push(await runTool('wrk', { ...s, rate: undefined, label: 'wrk (closed loop, again)' }));
    return table(`closed: -R max vs wrk, -c ${s.connections} -t ${s.threads} -d ${s.duration}s`, rows, { wrkLabel: 'wrk (closed loop)' });
  },
};

/**
 * One schedule from N processes (--shard i/N, one --start-at), measured together: CPU and
 * completions add, peak RSS is the largest, the percentiles are those of the added histograms.
 * @returns {Promise<Row>}
 */
async function runShards({ rate, connections, duration, shards }) {
  const { decodeFromCompressedBase64 } = await import('hdr-histogram-js');
  // Both processes must be up and connected before the instant: node starts in ~0.5 s.
  const startAt = Date.now() + 3000;
  const first = serial + 1;
  const runs = await Promise.all(
    Array.from({ length: shards }, (_, i) => {
      const jsonFile = join(OUT, `${String(first).padStart(2, '0')}-ratetest-shard-${i}-of-${shards}.json`);
      const argv = ['node', RATETEST, '-R', rate, '-d', `${duration}s`, '-c', Math.ceil(connections / shards), '-t', 1, '--shard', `${i}/${shards}`, '--start-at', startAt, '--json', jsonFile, url];
      process.stderr.write(`bench: shard ${i}/${shards}: ${argv.join(' ')}\n`);
      return measure(`ratetest-shard-${i}-of-${shards}`, argv, duration + 90).then((m) => ({ m, json: JSON.parse(readFileSync(jsonFile, 'utf8')) }));
    }),
  );
  const merged = decodeFromCompressedBase64(runs[0].json.latency.corrected.histogram);
  for (const r of runs.slice(1)) merged.add(decodeFromCompressedBase64(r.json.latency.corrected.histogram));
  const completed = runs.reduce((sum, r) => sum + r.json.completed, 0);
  const sum = (f) => runs.reduce((a, r) => a + f(r), 0);
  return {
    label: `ratetest ${shards} shards × 1 thread`,
    rate,
    completed,
    achieved: completed / duration,
    cpuUsPerReq: (sum((r) => r.m.cpuS) * 1e6) / completed,
    p50Us: merged.getValueAtPercentile(50) / 1e3,
    p99Us: merged.getValueAtPercentile(99) / 1e3,
    rssMb: Math.max(...runs.map((r) => r.m.rssMb)),
    errors: sum((r) => Object.values(r.json.errors).reduce((a, n) => a + n, 0) + r.json.non2xx3xx),
    // The processes ran over the same seconds: nginx's CPU over either window is the fleet's.
    nginxUsPerReq: (Math.max(...runs.map((r) => r.m.nginxCpuS)) * 1e6) / completed,
    note: [
      `late by ${runs.map((r) => fmt((r.json.shard?.lateNs ?? 0) / 1e6, 1)).join(', ')} ms; peak RSS is the largest process's`,
      ...runs.filter((r) => r.m.code !== 0).map((r) => `exit ${r.m.code}`),
    ].join('; '),
  };
}

// ---- main --------------------------------------------------------------------------------------

const busy = await machineBusyPercent();
if (busy > 10) console.error(`bench: warning: ${busy.toFixed(0)}% of the CPU is busy with other work; figures will be noisy`);
const nginx = await startNginx(NGINX, { tls: chosen.includes('https') });
const url = nginx.url;
const nginxWorkers = childrenOf(nginx.pid);
const stopNginx = () => nginx.stop();
process.on('SIGINT', () => {
  stopNginx();
  process.exit(130);
});
try {
  const version = (argv) => spawnSync(argv[0], argv.slice(1), { encoding: 'utf8' });
  const ratetestVersion = version(['node', RATETEST, '--version']).stdout.trim();
  const header = [
    `# ratetest bench, ${new Date().toISOString()}`,
    '',
    `- machine: ${spawnSync('nproc', { encoding: 'utf8' }).stdout.trim()} cores, ${process.platform} ${spawnSync('uname', ['-r'], { encoding: 'utf8' }).stdout.trim()}, node ${process.version}`,
    `- server: ${version([NGINX, '-v']).stderr.trim()} at ${url}, 1 worker (pid ${nginxWorkers.join(', ')}), access_log off`,
    `- ratetest ${ratetestVersion}; wrk2: ${WRK2 ?? 'not run (set WRK2=/path/to/wrk2)'}; wrk: ${WRK_BIN}; autocannon: ${HAVE_AUTOCANNON ? JSON.parse(readFileSync(join(HERE, 'node_modules', 'autocannon', 'package.json'), 'utf8')).version : 'not run (cd bench && npm install)'}`,
    `- CPU busy with other work just before the run: ${fmt(busy, 0)}% of ${spawnSync('nproc', { encoding: 'utf8' }).stdout.trim()} cores`,
    `- open files limit for the tools: ${spawnSync('bash', ['-c', 'ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"; ulimit -n'], { encoding: 'utf8' }).stdout.trim()}`,
    `- CPU µs/req: the tool's user + system CPU time (GNU time) / requests completed; nginx CPU µs/req: the nginx worker's, over the same run`,
    `- raw outputs: bench/out/${RUN_ID}/`,
    '',
  ].join('\n');
  console.log(header);
  const report = [header];
  for (const name of chosen) {
    const section = await scenarios[name]();
    console.log(section);
    report.push(section);
  }
  writeFileSync(join(OUT, 'report.md'), report.join('\n'));
} finally {
  stopNginx();
}
