import { describe, expect, it } from 'vitest';
import { disagreementCause } from '../../src/analysis/truth-disagreement.js';
import { syntheticResult } from '../fixtures/result.js';

describe("demo: the cause named when ratetest and the target's truth disagree", () => {
  it('a pump thread at 90% of a core or more: the generator was starved of CPU, with what to change', () => {
    const result = syntheticResult({ threads: [{ completed: 5000, cpuNs: 9.5e9, perSecond: [] }, { completed: 5000, cpuNs: 1e9, perSecond: [] }] });
    expect(disagreementCause(result, 0)).toMatch(/^the generator was starved of CPU: a pump thread used 95% of a core\. .*run the generator on its own cores or machine, away from the server\.$/);
  });

  it('more than 0.5% never sent: says how many', () => {
    expect(disagreementCause(syntheticResult({ notSent: 100 }), 0)).toBe('the generator could not send 100 of 10000 requests (1%).');
  });

  it('the process held up over 5 ms: the machine is overloaded', () => {
    expect(disagreementCause(syntheticResult(), 42.5e6)).toBe(
      "this machine is overloaded: the demo's process (target and generator) was held up for up to 42.5 ms at a time by other load; run the demo again on a quieter machine.",
    );
  });

  it('none of these: no cause, so the disagreement is reported as unexplained', () => {
    expect(disagreementCause(syntheticResult(), 4e6)).toBeUndefined();
  });
});
