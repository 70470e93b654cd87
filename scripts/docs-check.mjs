#!/usr/bin/env node
// docs-check.mjs: runs every example command in README.md and docs/*.md against local servers
// (http, https and a Unix socket, all on this machine), shortened, and fails if one exits with a
// code other than the one it documents. It must never send load anywhere but 127.0.0.1.
//
// What counts as an example (the convention the docs follow):
// - In a ```sh block, every line that starts with `ratetest` or `npx ratetest` (a trailing `\`
//   continues it). `a && b` runs both; after `|` the rest of the line is left out.
// - In a ```console block, every line that starts with `$ ratetest`; the lines after it, up to the
//   next `$ ` line, are its expected output (stdout, then stderr), compared with numbers masked (`#`): each expected line
//   must appear in the output, in order (extra lines, such as self-check warnings, are allowed).
// - A block opened with ```<lang> file=<path> shows that file of the repository: its text must
//   equal the file's.
// - The expected exit code is 0, or given at the end of the line's comment: `# ... [exit 1]`,
//   `[exit 0|1]` when either is correct (a gate or a search whose verdict depends on the machine).
// - The commands of one block run in order in one fresh directory (so `compare before.json
//   after.json` sees the files the lines above wrote), holding `examples/` (the repository's) and
//   `ca.pem`, `client.pem`, `client.key` (made here with the system openssl).
// Every flag that `ratetest --help` and each subcommand's --help list must have a row in a
// README.md table, and every flag of a run a row in docs/flags.md, so a new flag is documented.
// Every URL's host and port become the local server's (the https one for https://), `-d` and
// `--warmup` shrink, `-R`, `-n`, `--stages` and find-max's range and precision are capped, `--unix-socket` gets
// the local socket, `--metrics-port` 0, and `$(...)` this process's pid (a process that exists).
// The whole check (no files named) also makes docs/dashboard.png anew from a real run, into a
// temporary directory to check it, or into docs/ with --update-screenshots.
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dashboardScreenshot } from './dashboard-screenshot.mjs';
import { checkHeatmapScreenshot } from './heatmap-screenshot.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'bin/ratetest.js');
const PARALLEL = 2;
const RUN_DURATION = '200ms';
const STAGE_DURATION = '100ms';
const MAX_RATE = 2000;
const MAX_REQUESTS = 100;
const COMMAND_TIMEOUT_MS = 20_000;
const BODY = '{"ok":true,"token":"docs-check"}\n';

/** The Markdown files whose examples are checked, relative to the repository. */
export function docFiles() {
  const docs = readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort();
  return ['README.md', ...docs.map((f) => `docs/${f}`)];
}

/**
 * Blocks of examples in one Markdown text: [{ line, commands: [{ line, text, expected }] }], and
 * the blocks that show a file: [{ line, file, text }].
 */
export function extractBlocks(markdown) {
  const lines = markdown.split('\n');
  const blocks = [];
  const files = [];
  let fence = null;
  let block = null;
  let shown = null;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    const open = /^```(\w*)(?:\s+file=(\S+))?\s*$/.exec(raw);
    if (fence === null && open) {
      fence = open[1];
      block = { line: i + 1, commands: [] };
      shown = open[2] ? { line: i + 1, file: open[2], lines: [] } : null;
      continue;
    }
    if (fence !== null && /^```\s*$/.test(raw)) {
      if (block.commands.length > 0) blocks.push(block);
      if (shown) files.push({ line: shown.line, file: shown.file, text: shown.lines.join('\n') + '\n' });
      fence = null;
      continue;
    }
    shown?.lines.push(raw);
    if (fence === 'sh') {
      let text = raw;
      const start = i;
      while (text.endsWith('\\') && i + 1 < lines.length) text = text.slice(0, -1) + ' ' + lines[++i].trim();
      if (/^(npx )?ratetest( |$)/.test(text)) block.commands.push({ line: start + 1, text, expected: null });
    } else if (fence === 'console') {
      if (/^\$ (npx )?ratetest( |$)/.test(raw)) block.commands.push({ line: i + 1, text: raw.slice(2), expected: [] });
      else if (raw.startsWith('$ ')) block.commands.push({ line: i + 1, text: null, expected: [] });
      else if (block.commands.length > 0) block.commands.at(-1).expected.push(raw);
    }
  }
  for (const b of blocks) b.commands = b.commands.filter((c) => c.text !== null);
  return { blocks: blocks.filter((b) => b.commands.length > 0), files };
}

/** Splits a command line into commands of words, as a POSIX shell would for these examples. */
export function splitCommand(text) {
  const commands = [[]];
  let comment = '';
  let word = null;
  let i = 0;
  const push = () => {
    if (word !== null) commands.at(-1).push(word);
    word = null;
  };
  while (i < text.length) {
    const ch = text[i];
    if (ch === ' ' || ch === '\t') {
      push();
      i++;
    } else if (ch === '#' && word === null) {
      comment = text.slice(i + 1);
      break;
    } else if (ch === '|' && word === null) {
      if (text[i + 1] === '|') throw new Error(`"||" is not supported in an example: ${text}`);
      // What reads the output (jq, head) is not ratetest: leave it out.
      const hash = text.indexOf(' #', i);
      if (hash >= 0) comment = text.slice(hash + 2);
      break;
    } else if (ch === '&' && text[i + 1] === '&' && word === null) {
      commands.push([]);
      i += 2;
    } else if (ch === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unclosed ' in: ${text}`);
      word = (word ?? '') + text.slice(i + 1, end);
      i = end + 1;
    } else if (ch === '"') {
      let j = i + 1;
      let s = '';
      while (j < text.length && text[j] !== '"') {
        if (text[j] === '\\' && j + 1 < text.length) j++;
        s += text[j++];
      }
      if (j >= text.length) throw new Error(`unclosed " in: ${text}`);
      word = (word ?? '') + s;
      i = j + 1;
    } else if (ch === '$' && text[i + 1] === '(') {
      const end = text.indexOf(')', i);
      word = (word ?? '') + text.slice(i, end + 1);
      i = end + 1;
    } else if (ch === '\\' && i + 1 < text.length) {
      word = (word ?? '') + text[i + 1];
      i += 2;
    } else {
      word = (word ?? '') + ch;
      i++;
    }
  }
  push();
  const exit = /\[exit ([\d|]+)\]\s*$/.exec(comment);
  const codes = exit ? exit[1].split('|').map(Number) : [0];
  return { argvs: commands.filter((c) => c.length > 0), codes };
}

function parseRate(s) {
  const m = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(s);
  if (!m) return null;
  return Number(m[1]) * { '': 1, k: 1e3, m: 1e6 }[m[2].toLowerCase()];
}

const capRate = (s, max) => {
  const r = parseRate(s);
  return r === null || r <= max ? s : String(max);
};

/** Rewrites one example's argv (without `ratetest`) to run briefly against the local servers. */
export function rewrite(argv, env) {
  const sub = ['find-max', 'compare', 'merge', 'demo', 'truth', 'target'].includes(argv[0]) ? argv[0] : 'run';
  // The demo runs its own bounded load on its own target; compare, merge and truth read files.
  if (sub === 'compare' || sub === 'merge' || sub === 'demo' || sub === 'truth') return argv;
  // A target serves until Ctrl-C: on a free port, stopped once it says it is ready (see run()).
  if (sub === 'target') return [...argv.filter((a, i) => a !== '--port' && argv[i - 1] !== '--port'), '--port', '0'];
  const out = [];
  let hasLength = false;
  // Flags that end a run; without one the run would take the default 10 s, so -d is added.
  const lengths = ['-d', '--duration', '-n', '--requests', '--stages'];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (lengths.includes(a)) hasLength = true;
    const next = () => argv[++i];
    if (a === '-d' || a === '--duration') out.push(a, next() && RUN_DURATION);
    else if (a === '--warmup') out.push(a, next() && STAGE_DURATION);
    else if (a === '-n' || a === '--requests') out.push(a, String(Math.min(Number(next()), MAX_REQUESTS)));
    else if (a === '-R' || a === '--rate') out.push(a, capRate(next(), MAX_RATE));
    else if (a === '--from') out.push(a, capRate(next(), MAX_RATE / 4));
    else if (a === '--to') out.push(a, capRate(next(), MAX_RATE / 2));
    else if (a === '--precision') out.push(a, next() && '50%');
    else if (a === '--step-duration') out.push(a, next() && '1s');
    else if (a === '--cooldown') out.push(a, next() && '0s');
    else if (a === '--metrics-port') out.push(a, next() && '0');
    else if (a === '--unix-socket') out.push(a, next() && env.socket);
    else if (a === '--stages') {
      const stages = next().split(',').map((s) => `${STAGE_DURATION}:${capRate(s.split(':')[1], MAX_RATE)}`);
      out.push(a, stages.join(','));
    } else if (/^https?:\/\//.test(a)) {
      const https = a.startsWith('https:');
      const local = `127.0.0.1:${https ? env.httpsPort : env.httpPort}`;
      out.push(a.replace(/^(https?:\/\/)([^/@]*@)?(\[[^\]]*\]|[^/:?]+)(:\d+)?/, `$1$2${local}`));
    } else if (/^\$\(.*\)$/.test(a)) out.push(String(process.pid));
    else out.push(a);
  }
  if (sub === 'find-max') {
    if (!out.includes('--step-duration')) out.push('--step-duration', '1s');
    if (!out.includes('--cooldown')) out.push('--cooldown', '0s');
    // A wide bracket ends the search in a few one-second steps.
    if (!out.includes('--precision')) out.push('--precision', '50%');
  } else if (!hasLength) out.push('-d', RUN_DURATION);
  return out;
}

/** Numbers (with their units) become `#` and runs of spaces one, so a real run's output compares. */
export function mask(line) {
  return line
    .replace(/[-+]?\d[\d,]*(\.\d+)?(us|ms|s|m|h|k|[KMG]?B|%)?/g, '#')
    .replace(/\s+/g, ' ')
    .trim();
}

function run(argv, cwd, env) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...argv], {
      cwd,
      env: { ...process.env, TOKEN: 'docs-check-token' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), COMMAND_TIMEOUT_MS);
    // `ratetest target` serves until interrupted: Ctrl-C once it has printed its ready line.
    if (argv[0] === 'target') {
      const onData = () => {
        if (!/listening/.test(stdout)) return;
        child.stdout.off('data', onData);
        child.kill('SIGINT');
      };
      child.stdout.on('data', onData);
    }
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? `signal ${signal}`, stdout, stderr });
    });
  });
}

function makeTlsFiles(dir) {
  const openssl = (args) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=docs-check CA']);
  for (const [name, cn, ext] of [
    ['leaf', 'localhost', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth'],
    ['client', 'docs-check client', 'extendedKeyUsage=clientAuth'],
  ]) {
    openssl(['req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`]);
    writeFileSync(join(dir, `${name}.ext`), `${ext}\n`);
    openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', `${name}.ext`, '-out', `${name}.pem`]);
  }
}

async function startServers(dir) {
  const handler = (req, res) => {
    req.resume();
    req.on('end', () => res.end(BODY));
  };
  const listen = (server, ...args) => new Promise((resolve) => server.listen(...args, () => resolve(server)));
  const plain = await listen(http.createServer(handler), 0, '127.0.0.1');
  const tls = await listen(
    https.createServer({ key: readFileSync(join(dir, 'leaf.key')), cert: readFileSync(join(dir, 'leaf.pem')) }, handler),
    0,
    '127.0.0.1',
  );
  const socket = join(dir, 'app.sock');
  const unix = await listen(http.createServer(handler), socket);
  return {
    env: { httpPort: plain.address().port, httpsPort: tls.address().port, socket },
    close: () => Promise.all([plain, tls, unix].map((s) => new Promise((r) => s.close(r)))),
  };
}

async function checkBlock(file, block, env, fixtures) {
  const cwd = mkdtempSync(join(tmpdir(), 'ratetest-docs-'));
  const failures = [];
  let runs = 0;
  try {
    symlinkSync(join(ROOT, 'examples'), join(cwd, 'examples'));
    for (const f of ['ca.pem', 'client.pem', 'client.key']) cpSync(join(fixtures, f), join(cwd, f));
    for (const command of block.commands) {
      const where = `${file}:${command.line}`;
      let parsed;
      try {
        parsed = splitCommand(command.text);
      } catch (err) {
        failures.push(`${where}: ${err.message}`);
        continue;
      }
      for (const words of parsed.argvs) {
        const start = words[0] === 'npx' ? 2 : 1;
        if (words[start - 1] !== 'ratetest') {
          failures.push(`${where}: "${words.join(' ')}" is not a ratetest command`);
          continue;
        }
        const argv = rewrite(words.slice(start), env);
        const began = Date.now();
        const result = await run(argv, cwd, env);
        runs++;
        const shown = `ratetest ${argv.join(' ')}`;
        if (process.env.DOCS_CHECK_VERBOSE) console.error(`${where}: ${Date.now() - began} ms, exit ${result.code}: ${shown}`);
        if (!parsed.codes.includes(result.code)) {
          const why = (result.stderr.trim().split('\n')[0] || result.stdout.trim().split('\n').at(-1)) ?? '';
          failures.push(`${where}: exit ${result.code}, expected ${parsed.codes.join(' or ')}: ${shown}\n    ${why}`);
        }
        if (command.expected?.some((l) => l.trim() !== '')) {
          const actual = (result.stdout + result.stderr).split('\n').map(mask);
          let at = 0;
          for (const want of command.expected.map(mask).filter((l) => l !== '')) {
            const found = actual.indexOf(want, at);
            if (found < 0) {
              failures.push(`${where}: output line not found (numbers masked): "${want}"\n  in: ${shown}\n${result.stdout}${result.stderr}`);
              break;
            }
            at = found + 1;
          }
        }
      }
    }
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
  return { failures, runs };
}

/** The long flags `--help` lists for the run and for each subcommand: { run: [...], ... }. */
export function helpFlags() {
  const flags = {};
  for (const sub of ['run', 'find-max', 'grpc', 'compare', 'merge']) {
    const argv = sub === 'run' ? ['--help'] : [sub, '--help'];
    const help = execFileSync(process.execPath, [BIN, ...argv], { encoding: 'utf8' });
    const options = help.slice(help.indexOf('Options:'), help.indexOf('Other commands') >>> 0);
    flags[sub] = [...options.matchAll(/^ {2}(?:-\w, )?(--[\w-]+)/gm)].map((m) => m[1]);
  }
  return flags;
}

/**
 * A line naming each flag that lacks a table row: every run flag in README.md and docs/flags.md;
 * each subcommand's own flags in a README.md row naming the subcommand. find-max takes the run
 * flags too (the README says which), but its --json and --html write other things: they need rows.
 * grpc's run flags, --json and --html included, are a run's.
 */
export function undocumentedFlags(flags, readme, flagsPage) {
  const rows = (md) => md.split('\n').filter((l) => l.startsWith('|'));
  const names = (row, flag) => new RegExp(`[\\s\`,]${flag}(?![\\w-])`).test(row);
  const missing = [];
  for (const flag of flags.run) {
    if (!rows(readme).some((r) => names(r, flag))) missing.push(`README.md: no table row for ${flag}`);
    if (!rows(flagsPage).some((r) => names(r, flag))) missing.push(`docs/flags.md: no table row for ${flag}`);
  }
  for (const [sub, list] of Object.entries(flags)) {
    if (sub === 'run') continue;
    const own = list.filter((f) => !['--help', '--version'].includes(f) && (!flags.run.includes(f) || (sub !== 'grpc' && ['--json', '--html'].includes(f))));
    for (const flag of own) {
      if (!rows(readme).some((r) => r.startsWith(`| ${sub} |`) && names(r, flag))) missing.push(`README.md: no table row for ${sub} ${flag}`);
    }
  }
  return missing;
}

/** updateScreenshots: replace docs/heatmap.png with the one made now (--update-screenshots). */
export async function checkDocs(files = docFiles(), { updateScreenshots = false } = {}) {
  const fixtures = mkdtempSync(join(tmpdir(), 'ratetest-docs-tls-'));
  let servers;
  try {
    makeTlsFiles(fixtures);
    servers = await startServers(fixtures);
    const failures = [];
    if (files.includes('README.md')) {
      const read = (f) => readFileSync(join(ROOT, f), 'utf8');
      failures.push(...undocumentedFlags(helpFlags(), read('README.md'), read('docs/flags.md')));
      failures.push(...(await checkHeatmapScreenshot(ROOT, BIN, updateScreenshots)));
    }
    const jobs = [];
    for (const file of files) {
      const found = extractBlocks(readFileSync(resolve(ROOT, file), 'utf8'));
      jobs.push(...found.blocks.map((block) => ({ file, block })));
      for (const shown of found.files) {
        let actual = null;
        try {
          actual = readFileSync(join(ROOT, shown.file), 'utf8');
        } catch {}
        if (actual !== shown.text) failures.push(`${file}:${shown.line}: the block differs from ${shown.file}`);
      }
    }
    let runs = 0;
    let next = 0;
    const worker = async () => {
      while (next < jobs.length) {
        const { file, block } = jobs[next++];
        const r = await checkBlock(file, block, servers.env, fixtures);
        failures.push(...r.failures);
        runs += r.runs;
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
    return { failures, runs, blocks: jobs.length };
  } finally {
    await servers?.close();
    rmSync(fixtures, { recursive: true, force: true });
  }
}

/**
 * docs/dashboard.png, made anew from a real --dashboard run: into docs/ with --update-screenshots,
 * else into a temporary directory, checked to be a valid, non-blank PNG. Returns failures; a note
 * (not a failure) where tmux or Chromium is missing.
 */
export async function checkDashboardScreenshot(update) {
  const dir = update ? undefined : mkdtempSync(join(tmpdir(), 'ratetest-docs-shot-'));
  const png = update ? join(ROOT, 'docs/dashboard.png') : join(dir, 'dashboard.png');
  try {
    const { skipped, problems } = await dashboardScreenshot(BIN, png);
    if (skipped) console.log(`docs-check: docs/dashboard.png not regenerated: ${skipped}`);
    return (problems ?? []).map((p) => `docs/dashboard.png: ${p}`);
  } catch (err) {
    return [`docs/dashboard.png: ${err.message}`];
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && relative(process.argv[1], fileURLToPath(import.meta.url)) === '') {
  const started = Date.now();
  const args = process.argv.slice(2);
  const updateScreenshots = args.includes('--update-screenshots');
  const files = args.filter((a) => a !== '--update-screenshots');
  const { failures, runs, blocks } = await checkDocs(files.length > 0 ? files : undefined, { updateScreenshots });
  // The pictures belong to the whole check, not to a check of a few named files.
  if (files.length === 0) failures.push(...(await checkDashboardScreenshot(updateScreenshots)));
  for (const f of failures) console.error(`docs-check: ${f}`);
  console.log(`docs-check: ${runs} example runs in ${blocks} blocks, ${failures.length} failing, ${((Date.now() - started) / 1000).toFixed(1)} s`);
  process.exit(failures.length > 0 ? 1 : 0);
}
