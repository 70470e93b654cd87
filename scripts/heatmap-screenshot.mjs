// heatmap-screenshot.mjs: docs/heatmap.png, the HTML report's heatmap of a 3 s run against
// `ratetest target --stall 300ms/1s`, as headless Chromium draws it. docs-check makes it anew in a
// temporary directory and checks it: a PNG of SHOT's size with the heatmap's colours in it (and
// the committed one the same size). With --update-screenshots it replaces docs/heatmap.png.
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inflateSync } from 'node:zlib';

export const SHOT = { width: 1240, height: 440 };
const DOC_PATH = 'docs/heatmap.png';
// A heatmap with a stall in it colours thousands of pixels; a blank or broken page none.
const MIN_HEAT_PIXELS = 2000;

/** CHROMIUM, or the first browser of the html tests' list on PATH. */
function findChromium() {
  if (process.env.CHROMIUM) return process.env.CHROMIUM;
  try {
    return execFileSync('sh', ['-c', 'command -v chromium || command -v chromium-browser || command -v google-chrome'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** { width, height, heat }: heat counts pixels in the heatmap's yellow-to-red (red well above blue). */
export function inspectPng(file) {
  if (file.toString('latin1', 1, 4) !== 'PNG') throw new Error('not a PNG');
  const width = file.readUInt32BE(16);
  const height = file.readUInt32BE(20);
  const channels = file[25] === 6 ? 4 : 3;
  if (file[24] !== 8 || (file[25] !== 2 && file[25] !== 6) || file[28] !== 0) throw new Error('not an 8-bit RGB(A) PNG');
  const parts = [];
  for (let at = 8; at < file.length; at += 12 + file.readUInt32BE(at)) {
    if (file.toString('latin1', at + 4, at + 8) === 'IDAT') parts.push(file.subarray(at + 8, at + 8 + file.readUInt32BE(at)));
  }
  const raw = inflateSync(Buffer.concat(parts));
  const stride = width * channels;
  let prev = new Uint8Array(stride);
  let heat = 0;
  for (let y = 0; y < height; y++) {
    const type = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const out = new Uint8Array(stride);
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? out[i - channels] : 0;
      const b = prev[i];
      const c = i >= channels ? prev[i - channels] : 0;
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      const predictor = [0, a, b, (a + b) >> 1, paeth][type];
      out[i] = (line[i] + predictor) & 0xff;
    }
    for (let x = 0; x < width; x++) {
      const [r, g, bl] = [out[x * channels], out[x * channels + 1], out[x * channels + 2]];
      if (r - bl > 60 && !(r > 240 && g > 240 && bl > 240)) heat++;
    }
    prev = out;
  }
  return { width, height, heat };
}

function node(bin, args) {
  return spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Makes the screenshot into dir; resolves with its path. */
async function makeShot(bin, chromium, dir) {
  const target = node(bin, ['target', '--port', '0', '--stall', '300ms/1s']);
  try {
    const url = await new Promise((resolve, reject) => {
      let out = '';
      target.stdout.on('data', (d) => {
        out += d;
        const match = /listening on (http:\/\/\S+?)\/?\s/.exec(out);
        if (match) resolve(`${match[1]}/`);
      });
      target.on('close', () => reject(new Error(`ratetest target exited: ${out}`)));
    });
    const page = join(dir, 'run.html');
    // Numbered paths: the target's stall clock starts at the first /t/<k> request.
    const run = node(bin, ['-R', '1000', '-d', '3s', '-c', '100', '-t', '1', '-q', '--html', page, `${url}t/{{seq}}`]);
    let stderr = '';
    run.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise((resolve) => run.on('close', resolve));
    if (code !== 0) throw new Error(`the run for the screenshot exited ${code}: ${stderr}`);
    // The report with everything but the heatmap hidden.
    const style = '<style>body.shot > :not(#chart-heatmap):not(script) { display: none !important; } body.shot { margin: 12px; }</style></head>';
    const only = join(dir, 'heatmap.html');
    writeFileSync(only, readFileSync(page, 'utf8').replace('</head>', style).replace('<body>', '<body class="shot">'));
    const shot = join(dir, 'heatmap.png');
    execFileSync(chromium, ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--no-first-run', `--user-data-dir=${join(dir, 'profile')}`,
      `--window-size=${SHOT.width},${SHOT.height}`, `--screenshot=${shot}`, pathToFileURL(only).href], { stdio: 'ignore', timeout: 60_000 });
    return shot;
  } finally {
    target.kill('SIGINT');
  }
}

/** Failures, as docs-check lists them; update: replace docs/heatmap.png with the new one. */
export async function checkHeatmapScreenshot(root, bin, update) {
  const chromium = findChromium();
  if (!chromium) {
    console.log(`docs-check: no chromium on PATH: ${DOC_PATH} not regenerated`);
    return [];
  }
  const dir = mkdtempSync(join(tmpdir(), 'ratetest-docs-shot-'));
  try {
    const failures = [];
    const check = (file, name) => {
      const { width, height, heat } = inspectPng(readFileSync(file));
      if (width !== SHOT.width || height !== SHOT.height) failures.push(`${name}: ${width}x${height}, expected ${SHOT.width}x${SHOT.height}`);
      if (heat < MIN_HEAT_PIXELS) failures.push(`${name}: ${heat} pixels in the heatmap's colours, expected at least ${MIN_HEAT_PIXELS} (blank or broken)`);
    };
    const shot = await makeShot(bin, chromium, dir);
    check(shot, 'the regenerated heatmap screenshot');
    if (update && failures.length === 0) copyFileSync(shot, join(root, DOC_PATH));
    check(join(root, DOC_PATH), DOC_PATH);
    return failures;
  } catch (err) {
    return [`${DOC_PATH}: ${err.message}`];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
