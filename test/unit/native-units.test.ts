// The native unit tests (native/test/: framing, schedule, template expansion) under ASan and
// UBSan, built and run by scripts/test-native.sh, so `npm test` runs them too.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('../../scripts/test-native.sh', import.meta.url));

describe('native unit tests (scripts/test-native.sh)', () => {
  it('build clean under -Wall -Wextra -Werror and pass every case', () => {
    const run = spawnSync('bash', [SCRIPT], { encoding: 'utf8' });
    expect(run.stderr + run.stdout).toMatch(/^\d+ passed, 0 failed$/m);
    expect(run.status, run.stderr).toBe(0);
  });
});
