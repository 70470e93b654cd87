// pace.ts: what a test may conclude from a run on a busy machine. Accounting holds on any machine
// (every scheduled request sent or counted unsent, every sent one ended one way); pace (how many
// went out on time, how fast) holds only when the run's own self-check says the machine let it.
// It must not hide a failure of the code under test: only the run's own verdict excuses a run.
import { expect, type TestContext } from 'vitest';
import type { ResultJson } from '../../src/report/json.js';
import { RUN_DELAY_LIMIT } from '../../src/analysis/self-check.js';
import { accountedFor } from './run-cli.js';

/**
 * Why this run's pace says nothing about the code under test, or undefined when it does: the
 * generator ran out of CPU, the machine stalled it, or a pump waited for a CPU other work held
 * (which slows a test server on the same machine as well).
 */
export function busyMachine(json: ResultJson): string | undefined {
  const check = json.selfCheck;
  if (check.verdict === 'generator-cpu-bound' || check.verdict === 'machine-stalled') return `${check.summary}: ${check.messages[0]}`;
  if (check.maxThreadRunDelayPercent >= RUN_DELAY_LIMIT * 100) {
    return `a pump thread waited ${check.maxThreadRunDelayPercent}% of the run for a CPU (self-check: ${check.verdict})`;
  }
  return undefined;
}

/**
 * Runs `start` until a run's pace can be judged (busyMachine says nothing), at most `attempts`
 * times; returns that run, or the last one with `busy` set to why none could be.
 */
export async function untilPaced<T extends { json: ResultJson }>(start: () => Promise<T>, attempts = 3): Promise<T & { busy?: string }> {
  for (let attempt = 1; ; attempt++) {
    const run = await start();
    const busy = busyMachine(run.json);
    if (busy === undefined || attempt >= attempts) return { ...run, ...(busy !== undefined && { busy }) };
  }
}

/** In a test of pace: skips it, with the run's own reason, when the machine was too busy to judge it. */
export function skipIfBusy(ctx: TestContext, run: { json: ResultJson; busy?: string }): void {
  const busy = run.busy ?? busyMachine(run.json);
  if (busy !== undefined) ctx.skip(`machine too busy to judge pace: ${busy}`);
}

/**
 * Every request accounted for, whatever the machine's pace: `scheduled` due, each sent or counted
 * unsent, and each sent one answered, failed or in flight at the end. With `answered`, the server
 * answers everything it gets: every request sent was completed.
 */
export function expectAccounted(json: ResultJson, scheduled: number, answered = true): void {
  expect(json.scheduled).toBe(scheduled);
  expect(json.sent + json.notSent).toBe(json.scheduled);
  expect(accountedFor(json)).toBe(json.sent);
  if (answered) {
    expect(json.completed).toBe(json.sent);
    expect(json.latency.corrected.count).toBe(json.completed);
  }
}
