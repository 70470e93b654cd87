// Output files: checked without creating anything, written whole through a rename, a symlink
// followed to its file, special files written in place, and "-" only where stdout is allowed.
import { existsSync, lstatSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkOutputPath, openStreamingOutput, writeOutput } from '../../src/cli/output-file.js';

const dir = mkdtempSync(join(tmpdir(), 'ratetest-out-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('output files', () => {
  it('checks a new path without creating it, and refuses a directory or a missing directory', () => {
    const file = join(dir, 'new.json');
    checkOutputPath(file, '--json');
    expect(existsSync(file)).toBe(false);
    expect(() => checkOutputPath(dir, '--html')).toThrow(`--html cannot write "${dir}": EISDIR`);
    expect(() => checkOutputPath(join(dir, 'nope', 'x.json'), '--json')).toThrow('ENOENT');
  });

  it('"-" is stdout only where allowed', () => {
    expect(() => checkOutputPath('-', '--json', { allowStdout: true })).not.toThrow();
    expect(() => checkOutputPath('-', '--hgrm')).toThrow('--hgrm takes a file name');
  });

  it('replaces a file whole, leaves no temporary file, and writes through a symlink to its target', () => {
    const file = join(dir, 'a.json');
    writeFileSync(file, 'old');
    writeOutput(file, 'new', '--json');
    expect(readFileSync(file, 'utf8')).toBe('new');
    const link = join(dir, 'link.json');
    symlinkSync(file, link);
    writeOutput(link, 'through', '--json');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe('through');
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('writes a special file in place, and turns a failed write into one line', () => {
    expect(() => writeOutput('/dev/null', 'x', '--json')).not.toThrow();
    expect(() => writeOutput('/dev/full', 'x', '--html')).toThrow('--html cannot write "/dev/full": ENOSPC');
    expect(() => writeOutput(join(dir, 'nope', 'x'), 'x', '--hgrm')).toThrow('--hgrm cannot write');
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('a streamed output grows in a temporary file and appears whole at commit; discard leaves nothing', () => {
    const file = join(dir, 'stream.hlog');
    writeFileSync(file, 'old');
    const out = openStreamingOutput(file, '--hdr-log');
    out.write('a\n');
    out.write('b\n');
    expect(readFileSync(file, 'utf8')).toBe('old');
    expect(readdirSync(dir).filter((f) => f.startsWith('.stream.hlog.'))).toHaveLength(1);
    out.commit();
    expect(readFileSync(file, 'utf8')).toBe('a\nb\n');
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    const dropped = openStreamingOutput(join(dir, 'dropped.hlog'), '--hdr-log');
    dropped.write('x');
    dropped.discard();
    expect(readdirSync(dir).filter((f) => f.includes('dropped'))).toEqual([]);
  });

  it('a streamed output that cannot be written fails at commit with one line, not during the run', () => {
    const full = openStreamingOutput('/dev/full', '--hdr-log');
    expect(() => full.write('x'.repeat(1 << 16))).not.toThrow();
    expect(() => full.commit()).toThrow('--hdr-log cannot write "/dev/full": ENOSPC');
    const gone = openStreamingOutput(join(dir, 'no-such-dir', 'x.hlog'), '--hdr-log');
    gone.write('x');
    expect(() => gone.commit()).toThrow('ENOENT');
  });
});
