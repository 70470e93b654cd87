// The load-shape options: --stages parsing and ramps, and how the shape flags combine into a config.
import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../src/cli/flags.js';
import { validate } from '../../src/config/options.js';
import { UNLIMITED_MS } from '../../src/config/shape.js';
import { parseStages, rampsOf } from '../../src/config/stages.js';

const URL_ = 'http://127.0.0.1:8080/';
const argv = (...args: string[]) => ['node', 'ratetest', ...args];

describe('--stages', () => {
  it('parses duration:rate pairs with units', () => {
    expect(parseStages('30s:1k, 2m:20k,500ms:0')).toEqual([
      { durationMs: 30_000, rate: 1000 },
      { durationMs: 120_000, rate: 20_000 },
      { durationMs: 500, rate: 0 },
    ]);
  });

  it('ramps each stage from the previous target, the first from 0 (or the warm-up rate)', () => {
    const stages = parseStages('1s:100,2s:300');
    expect(rampsOf(stages)).toEqual([
      { durationNs: 1e9, fromRate: 0, toRate: 100 },
      { durationNs: 2e9, fromRate: 100, toRate: 300 },
    ]);
    // After a warm-up (at the first target) the native schedule starts the first stage from there.
    const warmed = validate(parseArgs(argv('--stages', '1s:100,2s:300', '--warmup', '1s', URL_)).options);
    expect(warmed.ramps![0]).toEqual({ durationNs: 1e9, fromRate: 100, toRate: 100 });
  });

  it('sets the duration to the stages\' total and the rate to their average', () => {
    const config = validate(parseArgs(argv('--stages', '1s:100,2s:300,1s:0', URL_)).options);
    expect(config.durationMs).toBe(4000);
    // 50 + 400 + 150 = 600 requests over 4 s.
    expect(config.rate).toBe(150);
    expect(config.ramps).toHaveLength(3);
  });
});

describe('shape flags into a config', () => {
  it('-R max is closed loop with rate 0 in the report', () => {
    const config = validate(parseArgs(argv('-R', 'max', '-n', '10000', '-c', '100', URL_)).options);
    expect(config.closedLoop).toBe(true);
    expect(config.rate).toBe(0);
    expect(config.requestCount).toBe(10_000);
    expect(config.durationMs).toBe(UNLIMITED_MS);
  });

  it('-n with -d keeps the duration; --max-connections defaults to -c', () => {
    const config = validate(parseArgs(argv('-R', '100', '-n', '50', '-d', '3s', '-c', '7', URL_)).options);
    expect(config.durationMs).toBe(3000);
    expect(config.maxConnections).toBe(7);
  });

  it('poisson takes a seed (default 1); warm-up is in milliseconds', () => {
    const config = validate(parseArgs(argv('-R', '100', '--arrival', 'poisson', '--seed', '42', '--warmup', '2s', URL_)).options);
    expect(config.arrival).toBe('poisson');
    expect(config.seed).toBe(42);
    expect(config.warmupMs).toBe(2000);
    expect(validate(parseArgs(argv('-R', '100', '--arrival', 'poisson', URL_)).options).seed).toBe(1);
  });
});
