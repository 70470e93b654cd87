import { describe, expect, it } from 'vitest';
import { validate } from '../../src/config/options.js';
import type { RunSnapshot } from '../../src/engine/run.js';
import { DashboardWindow } from '../../src/live/dashboard-window.js';
import { fit, peakLine, renderDashboard, sparkline } from '../../src/live/dashboard-view.js';

// eslint-disable-next-line no-control-regex
const plain = (line: string) => line.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');

const config = validate({ url: 'http://127.0.0.1:8080/', rate: 1000, durationMs: 10_000, connections: 10, threads: 1 });

function at(s: number, n: number): RunSnapshot {
  return {
    elapsedNs: s * 1e9,
    due: Math.round(1000 * s),
    sent: n,
    completed: n,
    errors: { connect: 0, read: 3, write: 0, timeout: 0, parse: 0 },
    status: { '200': n - 7, '503': 7 },
    connectionsOpen: 10,
    inFlight: 0,
    correctedBuckets: Float64Array.from([1_000_000, n]),
    sendLagBuckets: Float64Array.from([10_000, n]),
    queued: 0,
    threadCpu: Float64Array.from([0.3 * s * 1e9, 0]),
    scriptStarved: 0,
  };
}

describe('dashboard frame', () => {
  it('sparkline: eight heights, a blank for an interval with nothing to show', () => {
    expect(sparkline([0, 0.5, 1, undefined, 2], (v) => v)).toBe('▁▅█ █');
  });

  it('each latency row runs from 0 to its own peak, so a stall stands out', () => {
    // 10 ms norm, one 100 ms stall, one interval with nothing answered.
    expect(peakLine([10e6, 10e6, 100e6, undefined, 10e6])).toBe('▁▁█ ▁');
    expect(peakLine([])).toBe('');
  });

  it('fits every line to the width and shows the panels, the counts, status codes and errors by kind', () => {
    const window = new DashboardWindow(config, 2);
    for (let i = 1; i <= 600; i++) window.add(at(i / 4, 250 * i));
    for (const columns of [60, 120, 200]) {
      const lines = renderDashboard(window, config, { target: 'GET http://127.0.0.1:8080/', columns, rows: 40, periodMs: 250 });
      for (const line of lines) expect(plain(line).length, line).toBeLessThanOrEqual(columns);
    }
    const text = renderDashboard(window, config, { target: 'GET http://127.0.0.1:8080/', columns: 120, rows: 40, periodMs: 250 }).map(plain).join('\n');
    expect(text).toMatch(/^ ratetest {2}GET http:\/\/127\.0\.0\.1:8080\/ {2}-R 1,000\/s {2}-c 10 {2}-t 1 +10\.0s of 10\.0s, 0\.0s left $/m);
    expect(text).toMatch(/^ completed +150,000 {2}sent 150,000 {3}in flight 0$/m);
    expect(text).toMatch(/^ status +200 149,993 {3}503 7$/m);
    expect(text).toMatch(/^ errors +connect 0 {3}read 3 {3}write 0 {3}timeout 0 {3}parse 0$/m);
    expect(text).toMatch(/^ self-check +● generator keeping up \(kept-schedule, the last 2s\)$/m);
    expect(text).toMatch(/^ pump CPU +30% of a core, the last 2s$/m);
    expect(text).toMatch(/^ max +1\.00ms {2}█+ peak 1\.00ms$/m);
  });

  it('fit: counts columns, not escape sequences, and resets a style it cuts', () => {
    expect(fit('\x1b[32mabcdef\x1b[39m', 3)).toBe('\x1b[32mabc\x1b[0m');
    expect(fit('\x1b[32mabc\x1b[39m', 3)).toBe('\x1b[32mabc\x1b[39m');
    expect(fit('▁▂▃▄', 2)).toBe('▁▂\x1b[0m');
  });

  it('cuts the frame to the rows there are', () => {
    const window = new DashboardWindow(config, 2);
    window.add(at(0.25, 250));
    expect(renderDashboard(window, config, { target: 'GET /', columns: 80, rows: 20, periodMs: 250 })).toHaveLength(20);
  });
});
