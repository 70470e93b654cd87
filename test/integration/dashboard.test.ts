// --dashboard on a real terminal: tmux runs the CLI in a 120x40 pane. The last frame's counts
// equal the final report's and the server's; Ctrl-C leaves the normal screen, the cursor shown and
// the shell's prompt. Every wait polls capture-pane against a deadline; nothing asserts pace.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, CLI_BUILT, ENGINE_BUILT, runCli, sleep, textFigures } from './run-cli.js';
import { mixedStatus, type TestServer } from './servers.js';

const TMUX = spawnSync('tmux', ['-V']).status === 0;
// A server of its own, so the test never touches the tmux sessions of whoever runs it.
const SOCKET = `ratetest-dashboard-${process.pid}`;
const PROMPT = 'PROMPT$';
const DEADLINE_MS = 90_000;

function tmux(...args: string[]): string {
  const run = spawnSync('tmux', ['-L', SOCKET, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`tmux ${args.join(' ')}: ${run.stderr}`);
  return run.stdout;
}

/** The pane's text: the screen, with `history` lines of scrollback above it. */
const capture = (pane: string, history = 0) => tmux('capture-pane', '-p', '-J', '-t', pane, ...(history > 0 ? ['-S', `-${history}`] : []));

async function until(pane: string, test: (text: string) => boolean, what: string, history = 0): Promise<string> {
  const deadline = performance.now() + DEADLINE_MS;
  for (;;) {
    const text = capture(pane, history);
    if (test(text)) return text;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}; the pane shows:\n${text}`);
    await sleep(100);
  }
}

/** A shell in a fresh 120x40 window, with a prompt the test can recognise. */
function openPane(name: string, options: string[][] = []): string {
  tmux('new-session', '-d', '-s', name, '-x', '120', '-y', '40', `env PS1='${PROMPT} ' bash --norc --noprofile`);
  for (const option of options) tmux('set-option', '-t', name, ...option);
  return name;
}

/** "200 1,234   503 12" -> { 200: 1234, 503: 12 } */
function statusOf(line: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [, code, n] of line.matchAll(/(\d{3}) ([\d,]+)/g)) out[code!] = Number(n!.replace(/,/g, ''));
  return out;
}

const number = (text: string) => Number(text.replace(/,/g, ''));

describe.skipIf(!ENGINE_BUILT || !TMUX)('--dashboard in a tmux pane', () => {
  let server: TestServer;
  const jsonPath = join(tmpdir(), `ratetest-dashboard-${process.pid}.json`);
  beforeAll(async () => {
    server = await mixedStatus();
  });
  afterAll(async () => {
    // kill-server leaves its socket file behind.
    const socket = spawnSync('tmux', ['-L', SOCKET, 'display-message', '-p', '#{socket_path}'], { encoding: 'utf8' }).stdout.trim();
    spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
    if (socket) rmSync(socket, { force: true });
    rmSync(jsonPath, { force: true });
    await server?.close();
  });

  it("draws the panels, and its last frame's counts are the report's, the JSON's and the server's", async () => {
    // With the alternate screen off in tmux, the frames stay in the pane's history above the report.
    const pane = openPane('frames', [['-w', 'alternate-screen', 'off']]);
    tmux('send-keys', '-t', pane, `node ${BIN} --dashboard -R 200 -d 2s -c 4 -t 1 --json ${jsonPath} ${server.url}; echo EXIT-$?`, 'Enter');
    const text = await until(pane, (t) => /^EXIT-\d+$/m.test(t), 'the run to end', 400);
    expect(text).toMatch(/^EXIT-0$/m);
    const frame = text.slice(text.lastIndexOf(' ratetest  GET '), text.indexOf('Thread Stats'));
    for (const panel of ['RATE', 'CORRECTED LATENCY', 'GENERATOR', 'RESPONSES']) expect(frame).toContain(` ${panel}  `);
    expect(frame).toMatch(/^ (target|achieved|p50|p99|max|send lag p99) +\S+ +[▁▂▃▄▅▆▇█ ]+$/m);
    expect(frame).toMatch(/^ self-check +● .+ \([a-z-]+, the last 2s\)$/m);
    expect(frame).toMatch(/2\.0s of 2\.0s, 0\.0s left/);

    const completed = /^ completed +([\d,]+)  sent ([\d,]+)   in flight (\d+)$/m.exec(frame);
    const status = /^ status +(.+)$/m.exec(frame);
    const errors = /^ errors +connect (\d+)   read (\d+)   write (\d+)   timeout (\d+)   parse (\d+)$/m.exec(frame);
    expect(completed && status && errors, frame).toBeTruthy();
    const json = JSON.parse(readFileSync(jsonPath, 'utf8'));
    expect(number(completed![1]!)).toBe(textFigures(text).requests);
    expect(number(completed![1]!)).toBe(json.completed);
    expect(number(completed![2]!)).toBe(json.sent);
    expect(server.stats.requests).toBe(json.sent);
    expect(statusOf(status![1]!)).toEqual(json.status);
    expect(errors!.slice(1).map(Number)).toEqual([json.errors.connect, json.errors.read, json.errors.write, json.errors.timeout, json.errors.parse]);
    // The report reads the same counts out: its status line lists each code the frame showed.
    for (const [code, n] of Object.entries(json.status as Record<string, number>)) expect(text).toMatch(new RegExp(`Status codes: .*\\b${code}: ${n}\\b`));
  });

  it('Ctrl-C leaves the normal screen, the cursor shown, the report and a clean prompt', async () => {
    const pane = openPane('interrupt');
    tmux('send-keys', '-t', pane, `node ${BIN} --dashboard -R 200 -d 30s -c 4 -t 1 ${server.url}; echo EXIT-$?`, 'Enter');
    const frame = await until(pane, (t) => t.includes(' RESPONSES  ') && / completed +[1-9]/.test(t), 'a frame with responses');
    expect(tmux('display-message', '-p', '-t', pane, '#{alternate_on} #{cursor_flag}').trim()).toBe('1 0');
    expect(frame).toContain(' CORRECTED LATENCY  ');
    tmux('send-keys', '-t', pane, 'C-c');
    const after = await until(pane, (t) => /^EXIT-\d+$/m.test(t) && t.trimEnd().endsWith(PROMPT), 'the prompt after Ctrl-C', 400);
    expect(after).toMatch(/^EXIT-130$/m);
    expect(after).toMatch(/^ {2}Run interrupted after \d+\.\d\ds$/m);
    expect(tmux('display-message', '-p', '-t', pane, '#{alternate_on} #{cursor_flag}').trim()).toBe('0 1');
    // The normal screen holds the command, the banner and the report: no frame left on it.
    expect(after).not.toContain('CORRECTED LATENCY');
    expect(after).toContain('Running 30s test @');
  });
});

describe.skipIf(!CLI_BUILT)('--dashboard off a terminal', () => {
  it('with -q: one line, exit 2', async () => {
    const run = await runCli(['--dashboard', '-q', '-R', '10', '-d', '1s', 'http://127.0.0.1:9/']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('ratetest: --dashboard and --quiet ask for opposite things: drop one\n');
  });

  it('with find-max: one line, exit 2 (a search has no single run to show)', async () => {
    const run = await runCli(['find-max', '--dashboard', '--slo', 'p99<1s', '--from', '10', '--to', '20', 'http://127.0.0.1:9/']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('ratetest: --dashboard applies to a single run, not to find-max: judge the steps with --slo\n');
  });

  it.skipIf(!ENGINE_BUILT)('piped: one note, then the run and its report as without it', async () => {
    const server = await mixedStatus();
    try {
      const run = await runCli(['--dashboard', '-R', '100', '-d', '1s', '-c', '2', '-t', '1', server.url]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toBe('ratetest: --dashboard needs a terminal; no live view\n');
      expect(textFigures(run.stdout).requests).toBeGreaterThan(0);
      // No escape sequence reached the pipe.
      expect(run.stdout).not.toContain('\x1b[');
    } finally {
      await server.close();
    }
  });
});
