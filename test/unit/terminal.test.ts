// The terminal comes back however the process ends: each case runs a child that enters the
// screen (its stdout a pipe, which fd writes treat like a terminal) and then ends its own way.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ENTER, LEAVE } from '../../src/live/terminal.js';

const compiled = fileURLToPath(new URL('../../dist/live/terminal.js', import.meta.url));

function endingWith(ending: string) {
  const script = `import { Screen } from ${JSON.stringify(compiled)};
const screen = new Screen({ fd: 1, columns: 80, rows: 24 });
screen.enter();
screen.draw(['frame']);
${ending}`;
  return spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
}

describe.skipIf(!existsSync(compiled))('terminal restore', () => {
  it('on leave(), once, however often it is called', () => {
    const run = endingWith('screen.leave(); screen.leave();');
    expect(run.stdout.startsWith(ENTER)).toBe(true);
    expect(run.stdout.endsWith(LEAVE)).toBe(true);
    expect(run.stdout.split(LEAVE)).toHaveLength(2);
  });

  it('on process.exit() without leave()', () => {
    const run = endingWith('process.exit(3);');
    expect(run.status).toBe(3);
    expect(run.stdout.endsWith(LEAVE)).toBe(true);
  });

  it('on a crash, before Node prints the error (so the error is on the normal screen)', () => {
    const run = endingWith("throw new Error('boom');");
    expect(run.status).toBe(1);
    expect(run.stdout.endsWith(LEAVE)).toBe(true);
    expect(run.stderr).toContain('boom');
  });

  it('on SIGTERM, and still ends as SIGTERM', () => {
    const run = endingWith("setInterval(() => {}, 1000); process.kill(process.pid, 'SIGTERM');");
    expect(run.signal).toBe('SIGTERM');
    expect(run.stdout.endsWith(LEAVE)).toBe(true);
  });
});
