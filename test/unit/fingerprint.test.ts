// The fleet fingerprint: equal for the shards of one run, different when a setting the fleet
// must share differs; per-shard settings (threads, connections, the shard's index) leave it be.
import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../src/cli/flags.js';
import { fingerprintOf } from '../../src/config/fingerprint.js';
import { validate } from '../../src/config/options.js';
import { compileRequests } from '../../src/requests/compile.js';

const URL_ = 'http://127.0.0.1:8080/t/{{seq}}';

function fp(...args: string[]): string {
  const { options } = parseArgs(['node', 'ratetest', ...args]);
  const config = validate(options);
  const program = compileRequests(config, options);
  return fingerprintOf(config, program ? { templates: program.native } : {});
}

describe('fingerprintOf', () => {
  const base = ['-R', '2000', '-d', '10s', '--shard', '0/4'];

  it('is 16 hex digits, the same for the same flags', () => {
    expect(fp(...base, URL_)).toMatch(/^[0-9a-f]{16}$/);
    expect(fp(...base, URL_)).toBe(fp(...base, URL_));
  });

  it('is the same for every shard, and whatever its threads and connections', () => {
    expect(fp('-R', '2000', '-d', '10s', '--shard', '3/4', '-t', '1', '-c', '50', URL_)).toBe(fp(...base, URL_));
  });

  it('differs with -R, -d, the URL, the arrival, the seed, -n, the body and the shard count', () => {
    const one = fp(...base, URL_);
    for (const other of [
      ['-R', '2001', '-d', '10s', '--shard', '0/4', URL_],
      ['-R', '2000', '-d', '11s', '--shard', '0/4', URL_],
      ['-R', '2000', '-d', '10s', '--shard', '0/4', 'http://127.0.0.1:8080/u/{{seq}}'],
      [...base, '--arrival', 'poisson', URL_],
      [...base, '--arrival', 'poisson', '--seed', '2', URL_],
      [...base, '-b', 'x', URL_],
      ['-R', '2000', '-d', '10s', '--shard', '0/3', URL_],
    ]) {
      expect(fp(...other), other.join(' ')).not.toBe(one);
    }
    expect(fp('-R', '2000', '-n', '100', '--shard', '0/4', URL_)).not.toBe(fp('-R', '2000', '-n', '101', '--shard', '0/4', URL_));
  });

  it('leaves out the random template seed nobody fixed, so unseeded shards still agree', () => {
    const rand = ['-b', '{{rand 1 10}}'];
    expect(fp(...base, ...rand, URL_)).toBe(fp(...base, ...rand, URL_));
    expect(fp(...base, ...rand, '--seed', '5', URL_)).not.toBe(fp(...base, ...rand, '--seed', '6', URL_));
  });
});
