// dashboard-screenshot.mjs: a picture of --dashboard for docs/, made from a real run: the built-in
// target (stalling now and then, so the sparklines have something to show) loaded on 127.0.0.1
// in a 120x40 tmux pane; capture-pane -e (text with its colours) becomes a small HTML page that
// headless Chromium turns into a PNG. Used by docs-check.mjs; load goes to 127.0.0.1 only.
import { execFile, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inflateSync } from 'node:zlib';

const COLUMNS = 120;
const ROWS = 40;
/** Pixels: 120 columns of a 14 px monospace font with a margin, 40 rows of 17 px. */
export const SHOT = { width: 1060, height: 720 };
const DEADLINE_MS = 60_000;
// The run: long enough to hold a few stalls by the time the frame is taken (after SHOT_AT_S), with
// connections enough that a 100 ms stall at 1,000/s never runs out of them.
const RUN = ['--dashboard', '-R', '1000', '-d', '8s', '-c', '150', '-t', '1'];
const SHOT_AT_S = 6;

// Colours of a dark terminal, by SGR code (30-37 normal, 90-97 bright).
const PALETTE = ['#1e1e1e', '#f14c4c', '#4ec94e', '#e5c07b', '#569cd6', '#c678dd', '#56b6c2', '#d4d4d4'];
const BRIGHT = ['#666666', '#ff6b6b', '#7ee07e', '#ffd787', '#7fb4ff', '#e09cff', '#7fe0ee', '#ffffff'];
const FOREGROUND = PALETTE[7];
const BACKGROUND = PALETTE[0];

function findChromium() {
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
    if (found.status === 0) return found.stdout.trim();
  }
  return undefined;
}

const escapeHtml = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Text with SGR escape sequences (what capture-pane -e gives) -> HTML spans with inline colours. */
export function ansiToHtml(text) {
  const state = { bold: false, dim: false, inverse: false, fg: undefined, bg: undefined };
  let html = '';
  for (const part of text.split(/(\x1b\[[0-9;]*m)/)) {
    const sgr = /^\x1b\[([0-9;]*)m$/.exec(part);
    if (!sgr) {
      if (part === '') continue;
      let fg = state.fg ?? FOREGROUND;
      let bg = state.bg ?? BACKGROUND;
      if (state.inverse) [fg, bg] = [bg, fg];
      const css = [`color:${fg}`, `background:${bg}`, state.bold ? 'font-weight:bold' : '', state.dim ? 'opacity:0.6' : ''].filter(Boolean).join(';');
      html += `<span style="${css}">${escapeHtml(part)}</span>`;
      continue;
    }
    const codes = sgr[1] === '' ? [0] : sgr[1].split(';').map(Number);
    for (let i = 0; i < codes.length; i++) {
      const c = codes[i];
      if (c === 0) Object.assign(state, { bold: false, dim: false, inverse: false, fg: undefined, bg: undefined });
      else if (c === 1) state.bold = true;
      else if (c === 2) state.dim = true;
      else if (c === 22) Object.assign(state, { bold: false, dim: false });
      else if (c === 7) state.inverse = true;
      else if (c === 27) state.inverse = false;
      else if (c >= 30 && c <= 37) state.fg = PALETTE[c - 30];
      else if (c >= 90 && c <= 97) state.fg = BRIGHT[c - 90];
      else if (c === 39) state.fg = undefined;
      else if (c >= 40 && c <= 47) state.bg = PALETTE[c - 40];
      else if (c === 49) state.bg = undefined;
      else if (c === 38 || c === 48) i += codes[i + 1] === 5 ? 2 : 4; // 256-colour and RGB forms: not used by the dashboard
    }
  }
  return html;
}

/** A page showing the captured pane as the terminal did. */
export function terminalPage(captured) {
  return `<!doctype html><meta charset="utf-8"><title>ratetest --dashboard</title>
<style>body{margin:0;background:${BACKGROUND}}pre{margin:0;padding:12px 16px;font:14px/17px "DejaVu Sans Mono",monospace;color:${FOREGROUND}}</style>
<pre>${ansiToHtml(captured)}</pre>`;
}

/**
 * Failures of a PNG that should show the dashboard: a valid PNG of the size asked for, and not
 * blank: coloured text on a dark ground leaves many distinct byte values in its image data, a
 * page of one colour a handful.
 */
export function pngProblems(file) {
  const problems = [];
  if (file.length < 8 || file.readUInt32BE(0) !== 0x89504e47) return ['not a PNG file'];
  let width = 0;
  let height = 0;
  const idat = [];
  for (let at = 8; at + 8 <= file.length; ) {
    const length = file.readUInt32BE(at);
    const type = file.toString('latin1', at + 4, at + 8);
    if (type === 'IHDR') [width, height] = [file.readUInt32BE(at + 8), file.readUInt32BE(at + 12)];
    if (type === 'IDAT') idat.push(file.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  if (width !== SHOT.width || height !== SHOT.height) problems.push(`the PNG is ${width}x${height}, not ${SHOT.width}x${SHOT.height}`);
  let distinct = 0;
  try {
    distinct = new Set(inflateSync(Buffer.concat(idat))).size;
  } catch (err) {
    return [...problems, `its image data does not inflate: ${err.message}`];
  }
  if (distinct < 32) problems.push(`it looks blank (${distinct} distinct byte values in its image data)`);
  return problems;
}

function tmux(socket, ...args) {
  const run = spawnSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`tmux ${args.join(' ')}: ${run.stderr.trim()}`);
  return run.stdout;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The built-in target on a free port, stalling 100 ms every second (from the first numbered request, /t/<k>): { url, stop }. */
function startTarget(bin) {
  const child = spawn(process.execPath, [bin, 'target', '--port', '0', '--stall', '100ms/1s'], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the target printed no ready line: ${out}`)), DEADLINE_MS);
    child.stdout.on('data', (d) => {
      out += d;
      const url = /listening on (http:\/\/\S+?\/)[ ;]/.exec(out)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve({ url, stop: () => child.kill('SIGINT') });
      }
    });
    child.on('error', reject);
  });
}

function chromium(path, args, profile) {
  const base = ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--no-first-run', `--user-data-dir=${profile}`];
  return new Promise((resolve, reject) => {
    execFile(path, [...base, ...args], { timeout: DEADLINE_MS }, (err, _stdout, stderr) => (err ? reject(new Error(`chromium failed: ${err.message}\n${stderr}`)) : resolve()));
  });
}

/**
 * Runs the dashboard and writes its picture to `png`. Returns { skipped } when tmux or Chromium
 * is missing, else { problems } (empty when the picture is good).
 */
export async function dashboardScreenshot(bin, png) {
  const browser = findChromium();
  if (spawnSync('tmux', ['-V']).status !== 0 || !browser) return { skipped: 'needs tmux and chromium' };
  const dir = mkdtempSync(join(tmpdir(), 'ratetest-dashboard-shot-'));
  const socket = `ratetest-docs-${process.pid}`;
  const target = await startTarget(bin);
  let socketPath = '';
  try {
    tmux(socket, 'new-session', '-d', '-s', 'shot', '-x', String(COLUMNS), '-y', String(ROWS), process.execPath, bin, ...RUN, `${target.url}t/{{seq}}`);
    socketPath = tmux(socket, 'display-message', '-p', '#{socket_path}').trim();
    const deadline = Date.now() + DEADLINE_MS;
    let captured = '';
    for (;;) {
      const text = tmux(socket, 'capture-pane', '-p', '-t', 'shot');
      const elapsed = Number(/ (\d+\.\d)s of 8\.0s/.exec(text)?.[1] ?? 0);
      if (elapsed >= SHOT_AT_S) {
        captured = tmux(socket, 'capture-pane', '-p', '-e', '-t', 'shot');
        break;
      }
      if (Date.now() > deadline) return { problems: [`no dashboard frame at ${SHOT_AT_S}s within ${DEADLINE_MS / 1000}s; the pane shows:\n${text}`] };
      await sleep(100);
    }
    const missing = ['RATE', 'CORRECTED LATENCY', 'GENERATOR', 'RESPONSES', 'self-check'].filter((panel) => !captured.includes(panel));
    if (missing.length > 0) return { problems: [`the captured frame lacks ${missing.join(', ')}`] };
    const page = join(dir, 'dashboard.html');
    writeFileSync(page, terminalPage(captured));
    await chromium(browser, [`--screenshot=${png}`, `--window-size=${SHOT.width},${SHOT.height}`, pathToFileURL(page).href], join(dir, 'profile'));
    return { problems: pngProblems(readFileSync(png)) };
  } finally {
    spawnSync('tmux', ['-L', socket, 'kill-server']);
    // The server leaves its socket file behind, whether killed or ended with its one session.
    if (socketPath) rmSync(socketPath, { force: true });
    target.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
