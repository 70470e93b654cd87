// grpc.mjs: ratetest grpc against an echo server on this machine, one server after another:
//   - closed-loop maximum (-R max), 4 connections x 10 streams: the calls a second the server
//     sustains, with the server's own CPU beside it (a server near 100% of a core is the limit);
//   - CPU per call at a fixed rate (the pump threads' CPU, and the whole process's under GNU
//     time, which adds start-up and protobufjs loading), with p50/p99 and the calls by status;
//   - both again as a plain --http2 run of the same bytes, to show what reading gRPC costs.
// Servers: the grpc-js echo server (bench/grpc/echo-server.mjs), and a C++ one when given
// (--cpp-server <binary>, built by bench/grpc/build-cpp-server.sh from Debian's libgrpc++-dev).
// Not part of npm test.
//
//   node bench/grpc.mjs [--duration 10s] [--rate 2000] [--cpp-server bench/grpc/build/echo-server]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const RATETEST = here('../bin/ratetest.js');
const PROTO = here('../examples/grpc/echo.proto');
const OUT = mkdtempSync(join(tmpdir(), 'ratetest-bench-grpc-'));
const CONNECTIONS = 4;
const STREAMS = 10;
const TICKS_PER_S = 100; // /proc/<pid>/stat counts CPU in clock ticks (USER_HZ, 100 on Linux)

const argv = process.argv.slice(2);
const option = (name, fallback) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
const durationS = Number(/^(\d+)s$/.exec(option('--duration', '10s'))?.[1]);
const rate = Number(option('--rate', '2000'));
const cppServer = option('--cpp-server', undefined);
if (!(durationS > 0) || !(rate > 0)) {
  console.error('usage: node bench/grpc.mjs [--duration Ns] [--rate N] [--cpp-server <binary>]');
  process.exit(2);
}

/** A server process; resolves once it has printed its port. */
function startServer(command) {
  const child = spawn(command[0], command.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (d) => (output += d));
  return new Promise((resolve, reject) => {
    child.on('exit', (code) => reject(new Error(`${command.join(' ')} exited (${code}) before listening`)));
    const check = () => (output.includes('\n') ? resolve({ child, url: `http://127.0.0.1:${Number(output.trim().split('\n')[0])}` }) : setTimeout(check, 20));
    check();
  });
}

/** A process's CPU so far, seconds (user + system). */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S;
}

// The same call as plain --http2 sends it: {"text":"hello","seq":1} encoded by hand (field 1,
// length 5, "hello"; field 2, varint 1) in its 5-byte frame, with the headers grpc sends. The
// difference in CPU per call between the two is what reading calls as gRPC costs.
const FRAME = join(OUT, 'say.bin');
writeFileSync(FRAME, Buffer.from([0, 0, 0, 0, 9, 0x0a, 5, ...Buffer.from('hello'), 0x10, 1]));
const callArgs = (kind) =>
  kind === 'grpc'
    ? ['grpc', '--proto', PROTO, '--call', 'labecho.Echo/Say', '--data', '{"text":"hello","seq":1}']
    : ['--http2', '-m', 'POST', '-H', 'Content-Type: application/grpc', '-H', 'TE: trailers', '--body-file', FRAME];

let serial = 0;
/** One ratetest run under GNU time (`kind`: grpc, or the same bytes as plain http2); the server's CPU over the run beside it. */
function ratetest(label, server, rateArg, kind = 'grpc') {
  const file = join(OUT, `${String(++serial).padStart(2, '0')}-${kind}-${rateArg}`);
  const target = kind === 'grpc' ? server.url : `${server.url}/labecho.Echo/Say`;
  const args = ['node', RATETEST, ...callArgs(kind), '--streams', String(STREAMS), '-R', rateArg, '-d', `${durationS}s`, '-c', String(CONNECTIONS), '-t', '1', '--json', `${file}.json`, target];
  const serverBefore = cpuSeconds(server.child.pid);
  return new Promise((resolve) => {
    const child = spawn('/usr/bin/time', ['-o', `${file}.time`, '-f', '%e %U %S', ...args]);
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', () => {
      writeFileSync(`${file}.txt`, `$ ${args.join(' ')}\n${output}`);
      const serverCpuS = cpuSeconds(server.child.pid) - serverBefore;
      const [, userS, sysS] = readFileSync(`${file}.time`, 'utf8').trim().split('\n').pop().split(' ').map(Number);
      const j = JSON.parse(readFileSync(`${file}.json`, 'utf8'));
      const pumpCpuS = j.threads.reduce((a, t) => a + t.cpuNs, 0) / 1e9;
      const p = j.latency.corrected.percentilesNs;
      const runS = j.durationNs / 1e9;
      resolve({
        label,
        perSecond: j.completed / runS,
        pumpUs: (pumpCpuS * 1e6) / j.completed,
        processUs: ((userS + sysS) * 1e6) / j.completed,
        serverCore: serverCpuS / runS,
        p50Us: p['50'] / 1e3,
        p99Us: p['99'] / 1e3,
        status: j.grpc ? Object.entries(j.grpc.status).map(([name, n]) => `${name} ${n}`).join(', ') : Object.entries(j.status).map(([code, n]) => `HTTP ${code}: ${n}`).join(', '),
        errors: Object.values(j.errors).reduce((a, n) => a + n, 0) + (j.grpc ? j.grpc.httpErrors + j.grpc.malformed : 0),
      });
    });
  });
}

function table(title, rows) {
  const f = (n, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '—');
  const lines = [`### ${title}`, '', '| run | calls/s | pump CPU µs/call | process CPU µs/call | server CPU (cores) | p50 µs | p99 µs | status | errors |', '|---|---|---|---|---|---|---|---|---|'];
  for (const r of rows) lines.push(`| ${r.label} | ${f(r.perSecond, 0)} | ${f(r.pumpUs)} | ${f(r.processUs)} | ${f(r.serverCore, 2)} | ${f(r.p50Us)} | ${f(r.p99Us)} | ${r.status} | ${r.errors} |`);
  return lines.join('\n');
}

const servers = [['grpc-js echo server (Node, one event loop)', ['node', here('grpc/echo-server.mjs')]]];
if (cppServer) servers.push(['C++ echo server (Debian libgrpc++, sync API)', [cppServer]]);
const report = [`# ratetest grpc, ${CONNECTIONS} connections x ${STREAMS} streams, ${durationS} s each, unary labecho.Echo/Say`, ''];
for (const [name, command] of servers) {
  const server = await startServer(command);
  try {
    await ratetest('warm-up', server, String(Math.min(rate, 1000))); // JIT and connections, unreported
    const closed = await ratetest('-R max (closed loop)', server, 'max');
    const fixed = await ratetest(`-R ${rate}`, server, String(rate));
    const plainClosed = await ratetest('--http2 -R max, same bytes, no gRPC reading', server, 'max', 'http2');
    const plainFixed = await ratetest(`--http2 -R ${rate}, same bytes, no gRPC reading`, server, String(rate), 'http2');
    report.push(table(name, [closed, fixed, plainClosed, plainFixed]), '');
  } finally {
    server.child.kill('SIGTERM');
  }
}
console.log(report.join('\n'));
console.error(`bench: every run's output is in ${OUT}`);
