// run.test.ts: run() against a fake addon: what it hands the pump, how it relays progress and
// aborts, how native failures become RatetestErrors, and how a NativeResult becomes a Result.
import { constants } from 'node:os';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RatetestError } from '../../src/common/errors.js';
import type { NativeInterval, NativePlan, NativeResult, NativeSnapshot } from '../../src/addon/native.js';
import { validate } from '../../src/config/options.js';

const fake = vi.hoisted(() => ({
  ensureFdLimit: vi.fn<(needed: number) => number>(),
  start: vi.fn(),
  limits: {},
  scheduleFigures: (() => undefined) as unknown,
}));
// The pumps are faked; the schedule's figures and the limits are the real addon's (pure, no run).
vi.mock('../../src/addon/native.js', async (importActual) => {
  const actual = await importActual<typeof import('../../src/addon/native.js')>();
  const real = actual.loadAddon();
  Object.assign(fake, { limits: real.limits, scheduleFigures: real.scheduleFigures });
  return { ...actual, loadAddon: () => fake };
});

const { run } = await import('../../src/engine/run.js');
const { resolveAddress } = await import('../../src/engine/native-plan.js');
const { toResult } = await import('../../src/engine/to-result.js');

const noErrors = () => ({ connect: 0, read: 0, write: 0, timeout: 0, parse: 0 });

function snapshot(overrides: Partial<NativeSnapshot> = {}): NativeSnapshot {
  return {
    elapsedNs: 0,
    sent: 0,
    completed: 0,
    bytesRead: 0,
    bytesWritten: 0,
    errors: noErrors(),
    firstErrno: noErrors(),
    status: new Float64Array(),
    inFlight: 0,
    connectionsOpen: 0,
    queued: 0,
    corrected: new Float64Array(),
    uncorrected: new Float64Array(),
    sendLag: new Float64Array(),
    due: 0,
    connectionsOpened: 0,
    threadCpu: new Float64Array(),
    ...overrides,
  };
}

function nativeResult(overrides: Partial<NativeResult> = {}): NativeResult {
  return { ...snapshot(), durationNs: 10e9, scheduled: 0, notSent: 0, stopped: false, threads: [], byName: [], openedPerSecond: new Float64Array(), ...overrides };
}

/** A started fake run whose snapshots and completion the test controls. */
function fakeRun() {
  let finish!: (result: NativeResult) => void;
  let fail!: (err: Error) => void;
  const done = new Promise<NativeResult>((resolve, reject) => ((finish = resolve), (fail = reject)));
  const handle = { snapshot: vi.fn(() => snapshot()), intervals: vi.fn((): NativeInterval[] => []), stop: vi.fn(), done };
  fake.start.mockReturnValue(handle);
  return { handle, finish, fail };
}

const options = { url: 'http://127.0.0.1:8080/x', rate: 1000, durationMs: 3000, timeoutMs: 500, threads: 2, connections: 20 };

beforeEach(() => {
  fake.ensureFdLimit.mockReset().mockReturnValue(1 << 20);
  fake.start.mockReset();
});
afterEach(() => vi.useRealTimers());

describe('run: the plan', () => {
  it('asks for one fd per connection plus headroom, and hands the pump the validated plan', async () => {
    const { finish } = fakeRun();
    const running = run(options);
    await vi.waitFor(() => expect(fake.start).toHaveBeenCalled());
    expect(fake.ensureFdLimit).toHaveBeenCalledWith(20 + 64);
    const plan = fake.start.mock.calls[0]![0] as NativePlan;
    expect(plan).toEqual({
      threads: 2,
      connections: 20,
      rate: 1000,
      durationNs: 3e9,
      timeoutNs: 500e6,
      drainNs: 500e6,
      batchNs: 100e3,
      intervalNs: 1e9,
      connectTimeoutNs: 2e9,
      pipeline: 1,
      address: '127.0.0.1',
      port: 8080,
      request: validate(options).request,
      headRequest: false,
    });
    finish(nativeResult());
    await running;
  });

  it('does not touch the addon when the options are invalid', async () => {
    await expect(run({ ...options, rate: 0 })).rejects.toThrow('--rate must be > 0, got 0');
    expect(fake.start).not.toHaveBeenCalled();
  });
});

describe('run: native failures', () => {
  it('passes on the fd limit error as ERR_FD_LIMIT with its message', async () => {
    fake.ensureFdLimit.mockImplementation(() => {
      throw Object.assign(new Error('the connections need 84 file descriptors but the limit is 64'), { code: 'ERR_FD_LIMIT' });
    });
    const err = await run(options).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RatetestError);
    expect(err).toMatchObject({ code: 'ERR_FD_LIMIT', message: 'the connections need 84 file descriptors but the limit is 64' });
  });

  it('wraps any other start failure as ERR_ADDON: "the native pump failed to start: ..."', async () => {
    fake.start.mockImplementation(() => {
      throw new TypeError('plan.address must be a string');
    });
    await expect(run(options)).rejects.toMatchObject({ code: 'ERR_ADDON', message: 'the native pump failed to start: plan.address must be a string' });
  });

  it('turns a rejected run into ERR_RUN', async () => {
    const { fail } = fakeRun();
    const running = run(options);
    await vi.waitFor(() => expect(fake.start).toHaveBeenCalled());
    fail(new Error('thread died'));
    await expect(running).rejects.toMatchObject({ code: 'ERR_RUN', message: 'the run failed: thread died' });
  });
});

describe('run: abort and progress', () => {
  it('stops the pumps when the signal aborts, and resolves with what was gathered', async () => {
    const { handle, finish } = fakeRun();
    const controller = new AbortController();
    const running = run(options, { signal: controller.signal });
    await vi.waitFor(() => expect(fake.start).toHaveBeenCalled());
    expect(handle.stop).not.toHaveBeenCalled();
    controller.abort();
    expect(handle.stop).toHaveBeenCalledOnce();
    finish(nativeResult({ stopped: true, durationNs: 1e9 }));
    expect(await running).toMatchObject({ interrupted: true, durationNs: 1e9 });
  });

  it('rejects with ERR_RUN when aborted before the pumps start', async () => {
    await expect(run(options, { signal: AbortSignal.abort() })).rejects.toMatchObject({
      code: 'ERR_RUN',
      message: 'the run was aborted before it started',
    });
    expect(fake.start).not.toHaveBeenCalled();
  });

  it('reports progress once a second with the rate over that second, and stops reporting at the end', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const { handle, finish } = fakeRun();
    handle.snapshot
      .mockReturnValueOnce(snapshot({ elapsedNs: 1e9, sent: 1000, completed: 990, connectionsOpen: 20 }))
      .mockReturnValueOnce(snapshot({ elapsedNs: 2e9, sent: 2000, completed: 1490, connectionsOpen: 19, errors: { ...noErrors(), read: 2, timeout: 3 } }));
    const onProgress = vi.fn();
    const running = run(options, { onProgress });
    await vi.waitFor(() => expect(fake.start).toHaveBeenCalled());
    vi.advanceTimersByTime(2000);
    expect(onProgress.mock.calls).toEqual([
      [{ elapsedNs: 1e9, sent: 1000, completed: 990, rate: 990, errors: 0, connectionsOpen: 20, targetRate: 1000 }],
      [{ elapsedNs: 2e9, sent: 2000, completed: 1490, rate: 500, errors: 5, connectionsOpen: 19, targetRate: 1000 }],
    ]);
    finish(nativeResult());
    await running;
    vi.advanceTimersByTime(5000);
    expect(onProgress).toHaveBeenCalledTimes(2);
  });

  it('gives progress the target over each second from the schedule itself: the mean rate of a ramp, not a count of due requests', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const { handle, finish } = fakeRun();
    handle.snapshot
      .mockReturnValueOnce(snapshot({ elapsedNs: 1e9, sent: 501, completed: 500, connectionsOpen: 20 }))
      .mockReturnValueOnce(snapshot({ elapsedNs: 2e9, sent: 2001, completed: 2000, connectionsOpen: 20 }));
    const onProgress = vi.fn();
    const { rate: _, durationMs: __, ...rest } = options;
    const running = run({ ...rest, stages: [{ durationMs: 2000, rate: 2000 }] }, { onProgress });
    await vi.waitFor(() => expect(fake.start).toHaveBeenCalled());
    vi.advanceTimersByTime(2000);
    expect(onProgress.mock.calls.map(([p]) => p.targetRate)).toEqual([500, 1500]);
    finish(nativeResult());
    await running;
  });

  it("takes a snapshot each second, onProgress or not, and the pumps' intervals four times as often", async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const { handle, finish } = fakeRun();
    const running = run(options);
    await vi.waitFor(() => expect(fake.start).toHaveBeenCalled());
    vi.advanceTimersByTime(3000);
    finish(nativeResult());
    await running;
    expect(handle.snapshot).toHaveBeenCalledTimes(3);
    // 12 drains, 3 more with each snapshot, and the last with the final result.
    expect(handle.intervals).toHaveBeenCalledTimes(16);
    expect(handle.intervals).toHaveBeenLastCalledWith(true);
  });

  it("builds the series from the pumps' interval records, its last ones taken once the run is done", async () => {
    const { handle, finish } = fakeRun();
    const one = (pump: number, first: number, completed: number): NativeInterval => ({
      pump, first, last: first, endNs: (first + 1) * 1e9, due: completed, sent: completed, completed, errors: 0,
      status: Float64Array.from([200, completed]), corrected: Float64Array.from([1e6, completed]), uncorrected: Float64Array.from([5e5, completed]),
    });
    handle.intervals.mockImplementation((finished?: boolean) => (finished ? [one(0, 0, 3), one(1, 0, 4), one(1, 1, 1)] : []));
    const running = run(options);
    await vi.waitFor(() => expect(fake.start).toHaveBeenCalled());
    finish(nativeResult());
    const result = await running;
    expect(result.intervals!.map((i) => [i.startNs, i.endNs, i.completed])).toEqual([[0, 1e9, 7], [1e9, 2e9, 1]]);
  });
});

describe('toResult', () => {
  const config = validate(options);
  const started = new Date('2026-11-22T00:00:00.000Z');

  it('counts statuses, non-2xx/3xx responses and the achieved rate', () => {
    const result = toResult(
      config,
      nativeResult({ completed: 2000, durationNs: 4e9, status: Float64Array.from([200, 1500, 302, 100, 404, 300, 503, 90, 101, 10]) }),
      started,
    );
    expect(result.status).toEqual({ 101: 10, 200: 1500, 302: 100, 404: 300, 503: 90 });
    expect(result.non2xx3xx).toBe(400);
    expect(result.achievedRate).toBe(500);
    expect(result.startedAt).toBe('2026-11-22T00:00:00.000Z');
  });

  it('names the first errno of each kind: 111 -> ECONNREFUSED', () => {
    const firstErrno = { ...noErrors(), connect: constants.errno.ECONNREFUSED, read: constants.errno.ECONNRESET };
    expect(toResult(config, nativeResult({ firstErrno }), started).errorCodes).toEqual({ connect: 'ECONNREFUSED', read: 'ECONNRESET' });
  });

  it('keeps an errno it cannot name as "errno N"', () => {
    expect(toResult(config, nativeResult({ firstErrno: { ...noErrors(), write: 9999 } }), started).errorCodes).toEqual({ write: 'errno 9999' });
  });

  it('builds the histograms from bucket pairs', () => {
    const result = toResult(config, nativeResult({ corrected: Float64Array.from([1e6, 3, 2e6, 1]) }), started);
    expect(result.corrected.totalCount).toBe(4);
    expect(result.uncorrected.totalCount).toBe(0);
  });

  it('reports the config it ran with, in nanoseconds', () => {
    expect(toResult(config, nativeResult(), started).config).toEqual({
      url: 'http://127.0.0.1:8080/x',
      method: 'GET',
      rate: 1000,
      threads: 2,
      connections: 20,
      durationNs: 3e9,
      timeoutNs: 500e6,
      batchNs: 100e3,
      intervalNs: 1e9,
      connectTimeoutNs: 2e9,
      pipeline: 1,
    });
  });

  it('reports an achieved rate of 0 for a run of no length', () => {
    expect(toResult(config, nativeResult({ durationNs: 0, completed: 5 }), started).achievedRate).toBe(0);
  });

  it('has no per-request breakdown without named requests', () => {
    expect(toResult(config, nativeResult(), started).requests).toBeUndefined();
  });

  it('names each request\'s figures in the program\'s order, with its weight, statuses and histogram', () => {
    const byName = [
      { sent: 9, completed: 8, errors: 1, status: Float64Array.from([200, 7, 503, 1]), corrected: Float64Array.from([1e6, 8]) },
      { sent: 1, completed: 1, errors: 0, status: Float64Array.from([201, 1]), corrected: Float64Array.from([2e6, 1]) },
    ];
    const program = { native: {} as never, names: ['products', 'orders'], weights: [90, 10] };
    const requests = toResult(config, nativeResult({ byName }), started, program).requests!;
    expect(requests.map(({ corrected, ...rest }) => ({ ...rest, count: corrected.totalCount }))).toEqual([
      { name: 'products', weight: 90, sent: 9, completed: 8, errors: 1, status: { 200: 7, 503: 1 }, non2xx3xx: 1, count: 8 },
      { name: 'orders', weight: 10, sent: 1, completed: 1, errors: 0, status: { 201: 1 }, non2xx3xx: 0, count: 1 },
    ]);
  });
});

describe('resolveAddress', () => {
  it('takes IPv6 literals with or without brackets', async () => {
    await expect(resolveAddress('[::1]')).resolves.toEqual({ address: '::1', family: 6 });
    await expect(resolveAddress('::1')).resolves.toEqual({ address: '::1', family: 6 });
    await expect(resolveAddress('127.0.0.1')).resolves.toEqual({ address: '127.0.0.1', family: 4 });
  });

  it('fails as ERR_RESOLVE: cannot resolve host "nonexistent.invalid": ENOTFOUND', async () => {
    // .invalid never resolves (RFC 6761); offline resolvers may say EAI_AGAIN instead.
    await expect(resolveAddress('nonexistent.invalid')).rejects.toMatchObject({
      code: 'ERR_RESOLVE',
      message: expect.stringMatching(/^cannot resolve host "nonexistent\.invalid": (ENOTFOUND|EAI_AGAIN)$/),
    });
  });
});
