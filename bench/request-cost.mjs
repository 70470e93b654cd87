// request-cost.mjs: what varying requests cost. The same fixed rate against one private nginx,
// alternating a static request, a template with three placeholders ({{rand}} in the path, {{seq}}
// in the query, {{uuid}} in a header), and the same three fields made by a Lua request() and by a
// JavaScript request() (bench/scripts/), several rounds, medians reported. Not part of npm test:
// these are timings.
//
//   node bench/request-cost.mjs [--rate 20000] [--duration 10s] [--rounds 3] [--batch 100us] [--only static,lua]
//
// CPU per request is measured two ways: the pump thread's own CPU time (the JSON result's
// threads[].cpuNs: the hot path, where templates are expanded) and the whole process's user +
// system time under GNU time (adds Node's start-up and the report, the same for all, and for
// scripts the JavaScript thread that runs request()).
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findNginx, startNginx } from './nginx.mjs';
import { validate } from '../dist/options.js';
import { compileRequests } from '../dist/requests/compile.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
// The test addon (native/test_binding.cc) times template expansion without sockets.
const testAddon = () => createRequire(import.meta.url)(join(ROOT, 'build', 'Release', 'ratetest_test.node'));
const BIN = join(ROOT, 'bin/ratetest.js');
const TIME = '/usr/bin/time';

function flag(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}
const rate = flag('rate', '20000');
const duration = flag('duration', '10s');
const rounds = Number(flag('rounds', '3'));
const batch = flag('batch', '100us');
const only = flag('only', 'static,template,lua,js').split(',');

const nginxBinary = findNginx();
if (!nginxBinary) {
  console.error('bench/request-cost.mjs: nginx is not installed (apt-get install nginx-light)');
  process.exit(2);
}
if (!existsSync(TIME)) {
  console.error('bench/request-cost.mjs: GNU time is not installed (apt-get install time)');
  process.exit(2);
}

const out = mkdtempSync(join(tmpdir(), 'ratetest-bench-requests-'));
const nginx = await startNginx(nginxBinary);

/** One ratetest run under GNU time; returns requests completed, pump CPU and process CPU. */
function measure(label, args) {
  const timeFile = join(out, `${label}.time`);
  const argv = [TIME, '-o', timeFile, '-f', '%U %S', process.execPath, BIN, '-R', rate, '-d', duration, '-c', '100', '-t', '1', '--batch', batch, '--json', '-', ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${label} exited ${code}: ${stderr}`));
      const json = JSON.parse(stdout);
      const [user, sys] = readFileSync(timeFile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
      const pumpCpuNs = json.threads.reduce((sum, t) => sum + t.cpuNs, 0);
      resolve({
        label,
        completed: json.completed,
        errors: Object.values(json.errors).reduce((a, b) => a + b, 0),
        pumpUsPerReq: pumpCpuNs / 1e3 / json.completed,
        processUsPerReq: ((user + sys) * 1e6) / json.completed,
        p50Us: json.latency.corrected.percentilesNs['50'] / 1e3,
        p99Us: json.latency.corrected.percentilesNs['99'] / 1e3,
      });
    });
  });
}

const base = nginx.url.replace(/\/$/, '');
const scenarios = {
  static: [`${base}/items/42?seq=1`, '-H', 'X-Request-Id: 3b241101-e2bb-4255-8caf-4136c566a962'],
  template: [`${base}/items/{{rand 1 100000}}?seq={{seq}}`, '-H', 'X-Request-Id: {{uuid}}'],
  lua: ['-s', join(ROOT, 'bench/scripts/three-fields.lua'), `${base}/`],
  js: ['-s', join(ROOT, 'bench/scripts/three-fields.mjs'), `${base}/`],
};
const names = Object.keys(scenarios).filter((n) => only.includes(n));

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

try {
  // One unmeasured run first: nginx and the page cache warm up.
  await measure('warmup', [...scenarios.static.slice(0, 1), '-d', '2s']);
  const results = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 1; round <= rounds; round++) {
    for (const name of names) {
      const r = await measure(`${name}-${round}`, scenarios[name]);
      results[name].push(r);
      console.error(`round ${round} ${name}: ${r.completed} requests, ${r.errors} errors, pump ${r.pumpUsPerReq.toFixed(2)} µs/req, process ${r.processUsPerReq.toFixed(2)} µs/req, p50 ${r.p50Us.toFixed(0)} µs, p99 ${r.p99Us.toFixed(0)} µs`);
    }
  }
  const summary = Object.fromEntries(
    Object.entries(results).map(([name, rows]) => [
      name,
      { pump: median(rows.map((r) => r.pumpUsPerReq)), process: median(rows.map((r) => r.processUsPerReq)), p50: median(rows.map((r) => r.p50Us)), p99: median(rows.map((r) => r.p99Us)) },
    ]),
  );
  const extra = (name, key) => ((summary[name][key] / summary.static[key] - 1) * 100).toFixed(1);
  console.log(`\n-R ${rate} -d ${duration} -c 100 -t 1 --batch ${batch}, ${rounds} rounds, medians:\n`);
  console.log('| request | pump CPU µs/req | process CPU µs/req | vs static (process) | p50 | p99 |');
  console.log('|---|---|---|---|---|---|');
  for (const [name, s] of Object.entries(summary)) {
    const vs = summary.static && name !== 'static' ? `${extra(name, 'process')}%` : '—';
    console.log(`| ${name} | ${s.pump.toFixed(2)} | ${s.process.toFixed(2)} | ${vs} | ${s.p50.toFixed(0)} µs | ${s.p99.toFixed(0)} µs |`);
  }
  // Run-to-run noise on a shared 2-core machine is larger than the effect, so also compare each
  // round's run with the static run just before it, and take the median of those.
  const paired = (name, key) => (median(results[name].map((t, i) => t[key] / results.static[i][key] - 1)) * 100).toFixed(1);
  for (const name of names.filter((n) => n !== 'static' && results.static)) {
    console.log(`\n${name} vs static, medians: pump CPU ${extra(name, 'pump')}%, process CPU ${extra(name, 'process')}% per request${name === 'template' ? ' (limit: +15%)' : ''}`);
    console.log(`${name} vs static, median of per-round pairs: pump CPU ${paired(name, 'pumpUsPerReq')}%, process CPU ${paired(name, 'processUsPerReq')}%`);
  }
  // The expansion alone, without sockets: what the template adds to each request's CPU.
  if (results.template) {
    const options = { url: scenarios.template[0], rate: Number(rate), headers: [scenarios.template[2]] };
    const program = compileRequests(validate(options), options);
    const expansion = testAddon().expandTemplatesForTest(program.native, 0, 1_000_000, 0);
    const staticPump = summary.static.pump * 1000;
    console.log(
      `expansion alone: ${expansion.nsPerRequest.toFixed(0)} ns per request (${expansion.bytesPerRequest.toFixed(0)} bytes), ` +
        `${((expansion.nsPerRequest / staticPump) * 100).toFixed(2)}% of the static request's pump CPU`,
    );
  }
} finally {
  nginx.stop();
  rmSync(out, { recursive: true, force: true });
}
