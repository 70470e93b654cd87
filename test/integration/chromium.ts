// chromium.ts: headless Chromium for the HTML tests (Debian's `chromium`, installed by .ci/run):
// find it, run it on a page, read the attributes a page's script wrote into the rendered DOM.
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** CHROMIUM=/path/to/chrome, or the first of these on PATH. */
function findChromium(): string | undefined {
  if (process.env.CHROMIUM) return process.env.CHROMIUM;
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    for (const dir of (process.env.PATH ?? '').split(delimiter)) {
      try {
        accessSync(join(dir, name), constants.X_OK);
        return join(dir, name);
      } catch {
        // not here
      }
    }
  }
  return undefined;
}
export const CHROMIUM = findChromium();

/**
 * Runs headless Chromium on a file; resolves with stdout, and the page's console messages
 * (errors included: an uncaught exception is one) from its log. Root needs --no-sandbox.
 */
export function chromiumRun(args: string[], profile: string): Promise<{ stdout: string; console: string[] }> {
  const base = ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--no-first-run', '--enable-logging=stderr', '--v=0', `--user-data-dir=${profile}`];
  return new Promise((resolve, reject) => {
    execFile(CHROMIUM!, [...base, ...args], { timeout: 30_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`chromium ${args.join(' ')} failed: ${err.message}\n${stderr}`));
      else resolve({ stdout, console: stderr.split('\n').filter((line) => /:CONSOLE[:(]/.test(line)) });
    });
  });
}

/** Runs headless Chromium on a file; resolves with stdout. */
export async function chromium(args: string[], profile: string): Promise<string> {
  return (await chromiumRun(args, profile)).stdout;
}

/** The attributes of the element with this id in a DOM dump. */
export function attributes(dom: string, id: string): Record<string, string> {
  const tag = new RegExp(`<div[^>]*\\bid="${id}"[^>]*>`).exec(dom);
  if (!tag) throw new Error(`no element #${id} in the rendered DOM`);
  return Object.fromEntries([...tag[0].matchAll(/([\w-]+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
}
