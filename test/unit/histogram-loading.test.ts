// A plain run must not load hdr-histogram-js's index (~15 MB of RSS, 50–80 ms): only the formats
// that need it (compressed encodings, interval logs) load it, on first use. Checked in a fresh
// node process on the compiled modules, since a test worker's require cache is shared.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const dist = (path: string) => fileURLToPath(new URL(`../../dist/${path}`, import.meta.url));
const BUILT = existsSync(dist('cli/run-command.js'));

const PROBE = `
import { createRequire } from 'node:module';
const require = createRequire(${JSON.stringify(dist('cli/run-command.js'))});
const indexLoaded = () => Object.keys(require.cache).some((path) => /hdr-histogram-js[\\\\/]dist[\\\\/]index\\.js$/.test(path));
await import(${JSON.stringify(dist('cli/run-command.js'))});
const { bucketsToHistogram } = await import(${JSON.stringify(dist('result/histogram.js'))});
const { formatText } = await import(${JSON.stringify(dist('report/text.js'))});
const histogram = bucketsToHistogram(new Float64Array([1000, 3, 2000, 1]));
const p50 = histogram.getValueAtPercentile(50);
const before = indexLoaded();
const { encodeIntoCompressedBase64, decodeFromCompressedBase64 } = await import(${JSON.stringify(dist('result/hdr-formats.js'))});
const back = decodeFromCompressedBase64(encodeIntoCompressedBase64(histogram), 64, false);
console.log(JSON.stringify({ formatText: typeof formatText, p50, before, after: indexLoaded(), total: back.totalCount, backP50: back.getValueAtPercentile(50) }));
`;

describe.skipIf(!BUILT)('loading hdr-histogram-js', () => {
  it('a run and its text report build histograms without the package index; an encoding loads it and round-trips', () => {
    const probe = spawnSync(process.execPath, ['--input-type=module', '-e', PROBE], { encoding: 'utf8', timeout: 60_000 });
    expect(probe.stderr).toBe('');
    expect(JSON.parse(probe.stdout)).toEqual({ formatText: 'function', p50: 1000, before: false, after: true, total: 4, backP50: 1000 });
  });
});
