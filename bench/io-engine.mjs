// io-engine.mjs: epoll against io_uring for the pump's HTTP/1.1 loop, on a stand-alone prototype
// (bench/io-engine/engine.cc, built here with g++), not on ratetest: it decides whether io_uring is
// worth building into the pump. nginx (one worker) is pinned to cpu0 and the prototype to cpu1;
// each round runs every shape once per engine, back to back, in an order that alternates between
// rounds; the table gives medians and, against epoll, the median of each round's ratio. ratetest
// itself (its epoll pump) runs each shape too, with the CPU of its pump thread alone, so the
// prototype's saving can be read against what a request costs the real pump.
//
//   node bench/io-engine.mjs [--rounds 5] [--seconds 5] [--rate 20000] [--conns 100]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findNginx, startNginx } from './nginx.mjs';
import { childrenOf, cpuSeconds, machineCpu } from './proc.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const SOURCE = join(HERE, 'io-engine', 'engine.cc');
const BINARY = join(HERE, 'io-engine', 'build', 'engine');
const RATETEST = join(HERE, '..', 'bin', 'ratetest.js');
const NATIVE = join(HERE, '..', 'native');
const USAGE = 'usage: node bench/io-engine.mjs [--rounds N] [--seconds N] [--rate N] [--conns N]';
const NGINX_CPU = 0;
const TOOL_CPU = 1;

/** @param {string} message @returns {never} */
function usage(message) {
  console.error(`io-engine: ${message}\n${USAGE}`);
  process.exit(2);
}

function parseArgs(argv) {
  const options = { rounds: 5, seconds: 5, rate: 20000, conns: 100 };
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i].replace(/^--/, '');
    const value = Number(argv[i + 1]);
    if (!(name in options)) usage(`unknown flag ${argv[i]}`);
    if (!Number.isInteger(value) || value <= 0) usage(`${argv[i]}: a positive whole number`);
    options[name] = value;
  }
  return options;
}

function build() {
  if (!existsSync('/usr/bin/g++')) usage('g++ not found: apt-get install -y g++');
  mkdirSync(dirname(BINARY), { recursive: true });
  // The epoll engine reads with the pump's own receive() (native/conn.cc).
  const made = spawnSync('g++', ['-std=c++17', '-O2', '-Wall', '-Wextra', `-I${NATIVE}`, '-o', BINARY, SOURCE, join(NATIVE, 'conn.cc')], { encoding: 'utf8' });
  if (made.status !== 0) usage(`building ${SOURCE} failed:\n${made.stderr}`);
}

const median = (values) => {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const fixed = (v, digits = 1) => (Number.isFinite(v) ? v.toFixed(digits) : '—');

const options = parseArgs(process.argv.slice(2));
const NGINX = findNginx();
if (!NGINX) usage('nginx not found: apt-get install -y nginx-light');
build();

const SHAPES = [
  { name: `-R ${options.rate}, window 100 µs`, args: ['--rate', String(options.rate), '--batch-us', '100'], ratetest: ['-R', String(options.rate), '--batch', '100us'] },
  { name: `-R ${options.rate}, window 500 µs`, args: ['--rate', String(options.rate), '--batch-us', '500'], ratetest: ['-R', String(options.rate), '--batch', '500us'] },
  { name: `-R ${options.rate}, window 1 ms`, args: ['--rate', String(options.rate), '--batch-us', '1000'], ratetest: ['-R', String(options.rate), '--batch', '1ms'] },
  { name: `-R ${Math.round(options.rate / 2)}, window 100 µs`, args: ['--rate', String(Math.round(options.rate / 2)), '--batch-us', '100'], ratetest: ['-R', String(Math.round(options.rate / 2)), '--batch', '100us'] },
  { name: 'closed loop', args: ['--rate', 'max'], ratetest: ['-R', 'max'] },
];
const ENGINES = [
  { name: 'epoll', args: ['--engine', 'epoll'] },
  { name: 'io_uring, sleep + enter', args: ['--engine', 'uring', '--wait', 'sleep'] },
  { name: 'io_uring, wait in enter', args: ['--engine', 'uring', '--wait', 'ring'] },
  { name: 'ratetest (its pump thread)', ratetest: true },
];
if (!existsSync(join(HERE, '..', 'build', 'Release', 'ratetest.node'))) usage('ratetest is not built: run npm install at the repository root first');
const SCRATCH = mkdtempSync(join(tmpdir(), 'ratetest-io-engine-'));

const nginx = await startNginx(NGINX);
process.on('SIGINT', () => {
  nginx.stop();
  process.exit(130);
});
const workers = childrenOf(nginx.pid);
for (const pid of [nginx.pid, ...workers]) spawnSync('taskset', ['-a', '-cp', String(NGINX_CPU), String(pid)]);
const port = new URL(nginx.url).port;

/** ratetest on cpu1, as the prototype's JSON line: the pump thread's CPU stands for the prototype's. */
function ratetestOnce(shape, seconds) {
  const json = join(SCRATCH, 'result.json');
  const argv = ['taskset', '-c', String(TOOL_CPU), process.execPath, RATETEST, ...shape.ratetest, '-c', String(options.conns), '-t', '1', '-d', `${seconds}s`, '--json', json, nginx.url];
  const child = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', timeout: (seconds + 30) * 1000 });
  if (child.status !== 0) throw new Error(`ratetest ${shape.name}: exit ${child.status} ${child.signal ?? ''}\n${child.stderr}`);
  const j = JSON.parse(readFileSync(json, 'utf8'));
  const pumpUs = (j.selfCheck.threadCpuPercent.reduce((a, n) => a + n, 0) / 100) * (j.durationNs / 1e3);
  const p = (q) => Number(j.latency.corrected.percentilesNs[String(q)] ?? NaN) / 1e3;
  const errors = Object.values(j.errors).reduce((a, n) => a + n, 0);
  return {
    engine: 'ratetest', sent: j.sent, completed: j.completed, scheduled: j.scheduled, stamped: j.completed, errors,
    achieved: j.completed / seconds, userUs: pumpUs, sysUs: 0, cpuUsPerReq: pumpUs / Math.max(j.completed, 1), p50Us: p(50), p99Us: p(99),
    syscalls: { send: 0, recvmsg: 0, epoll: 0, sleep: 0, enter: 0 }, voluntarySwitches: NaN, pumpOnly: true,
    // What its schedule did not send by the end is counted, not lost.
    accountedOk: j.completed === j.sent && j.inFlight === 0 && errors === 0 && j.sent + j.notSent === j.scheduled,
  };
}

/** One run of the prototype on cpu1; its JSON line plus nginx's CPU and the machine's other work. */
function runOnce(engine, shape, seconds) {
  const nginxBefore = cpuSeconds(workers);
  const busyBefore = machineCpu().busyS;
  if (engine.ratetest) return finish(ratetestOnce(shape, seconds), seconds, nginxBefore, busyBefore);
  const child = spawnSync('taskset', ['-c', String(TOOL_CPU), BINARY, ...engine.args, ...shape.args, '--port', port, '--conns', String(options.conns), '--seconds', String(seconds)], {
    encoding: 'utf8',
    timeout: (seconds + 30) * 1000,
  });
  if (child.status !== 0) throw new Error(`${engine.name} ${shape.name}: exit ${child.status} ${child.signal ?? ''}\n${child.stderr}`);
  return finish(JSON.parse(child.stdout), seconds, nginxBefore, busyBefore);
}

function finish(result, seconds, nginxBefore, busyBefore) {
  const nginxCpu = cpuSeconds(workers) - nginxBefore;
  const toolCpu = (result.userUs + result.sysUs) / 1e6;
  result.nginxUsPerReq = (nginxCpu * 1e6) / Math.max(result.completed, 1);
  // ratetest's Node threads share cpu1 with its pump and count here as other work.
  result.otherCores = result.pumpOnly ? NaN : Math.max(0, machineCpu().busyS - busyBefore - nginxCpu - toolCpu) / seconds;
  const s = result.syscalls;
  result.syscallsPerReq = (s.send * (result.engine === 'epoll' ? 1 : 0) + s.recvmsg * (result.engine === 'epoll' ? 1 : 0) + s.epoll + s.sleep + s.enter) / Math.max(result.completed, 1);
  result.wakesPerS = result.voluntarySwitches / seconds;
  // Every request sent was answered, none failed, and each answer carries the kernel's stamp.
  result.accounted = result.accountedOk ?? (result.completed === result.sent && result.errors === 0 && result.scheduled - result.sent <= 1);
  if (result.pumpOnly) result.syscallsPerReq = NaN;
  result.stampedShare = result.stamped / Math.max(result.completed, 1);
  if (!result.accounted) console.error(`io-engine: not every request answered: ${JSON.stringify(result)}`);
  return result;
}

const load = () => loadavg().map((l) => l.toFixed(2)).join(', ');
const loadBefore = load();
try {
  runOnce(ENGINES[0], SHAPES[SHAPES.length - 1], 2); // nginx's cold start (closed loop), not reported
  /** @type {Record<string, Record<string, any[]>>} */
  const runs = {};
  for (const shape of SHAPES) runs[shape.name] = Object.fromEntries(ENGINES.map((e) => [e.name, []]));
  for (let round = 0; round < options.rounds; round++) {
    for (const shape of SHAPES) {
      const order = round % 2 === 0 ? ENGINES : [...ENGINES].reverse();
      for (const engine of order) runs[shape.name][engine.name].push(runOnce(engine, shape, options.seconds));
    }
    console.error(`io-engine: round ${round + 1} of ${options.rounds} done (load ${load()})`);
  }
  const lines = [
    `### io_uring prototype: medians of ${options.rounds} interleaved rounds, ${options.seconds} s each, -c ${options.conns}, nginx on cpu${NGINX_CPU}, the prototype on cpu${TOOL_CPU}`,
    '',
    `Load average before: ${loadBefore}; after: ${load()}.`,
    '',
    '| shape | engine | achieved/s | CPU µs/req | user / sys µs/req | ÷ epoll (range) | p50 µs | p99 µs | syscalls/req | sleeps/s | nginx µs/req | all answered, stamped | other work, cores |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const shape of SHAPES) {
    const base = runs[shape.name][ENGINES[0].name];
    for (const engine of ENGINES) {
      const rs = runs[shape.name][engine.name];
      const closed = shape.args.includes('max');
      // Closed loop: the rate is the figure that can win; CPU per request beside it.
      const ratios = rs.map((r, i) => (closed ? r.achieved / base[i].achieved : r.cpuUsPerReq / base[i].cpuUsPerReq));
      const ratio = engine === ENGINES[0] ? '—' : `${fixed(median(ratios), 2)}${closed ? ' rate' : ''} (${fixed(Math.min(...ratios), 2)}–${fixed(Math.max(...ratios), 2)})`;
      const cpuRatios = rs.map((r, i) => r.cpuUsPerReq / base[i].cpuUsPerReq);
      const cpuNote = closed && engine !== ENGINES[0] ? `; CPU ${fixed(median(cpuRatios), 2)}` : '';
      lines.push(
        `| ${shape.name} | ${engine.name} | ${fixed(median(rs.map((r) => r.achieved)), 0)} | ${fixed(median(rs.map((r) => r.cpuUsPerReq)), 2)} | ` +
          `${engine.ratetest ? '—' : `${fixed(median(rs.map((r) => r.userUs / r.completed)), 2)} / ${fixed(median(rs.map((r) => r.sysUs / r.completed)), 2)}`} | ${ratio}${cpuNote} | ` +
          `${fixed(median(rs.map((r) => r.p50Us)), 0)} | ${fixed(median(rs.map((r) => r.p99Us)), 0)} | ${fixed(median(rs.map((r) => r.syscallsPerReq)), 2)} | ` +
          `${fixed(median(rs.map((r) => r.wakesPerS)), 0)} | ${fixed(median(rs.map((r) => r.nginxUsPerReq)), 2)} | ` +
          `${rs.every((r) => r.accounted) ? 'yes' : 'NO'}, ${fixed(100 * Math.min(...rs.map((r) => r.stampedShare)), 2)}% | ${fixed(median(rs.map((r) => r.otherCores)), 2)} |`,
      );
    }
  }
  console.log(lines.join('\n'));
} finally {
  nginx.stop();
  rmSync(SCRATCH, { recursive: true, force: true });
}
