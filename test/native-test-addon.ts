// native-test-addon.ts: loads the test addon (ratetest_test.node, built from native/test_binding.cc
// beside the production addon), whose entry points drive native units without sockets. Only tests
// and benches load it; the production addon carries none of these.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NativeTemplates } from '../src/native.js';

/** One parser event. */
export interface NativeParseEvent {
  /** 'response' (a response completed), 'error' (malformed) or 'need-more' (end of input mid-response). */
  kind: 'response' | 'error' | 'need-more';
  status: number;
  /** Body bytes of a completed response. */
  bodyBytes: number;
  /** The response asked to close the connection. */
  close: boolean;
  /** For 'error': what was wrong. */
  message: string;
}

export interface TestAddon {
  /** Feeds chunks to one connection's response parser; 'eof' marks the connection closing. */
  parseResponses(chunks: Buffer[], headRequest: boolean, eof: boolean): NativeParseEvent[];
  /** Pump `pumpIndex`'s first `count` intended send times (ns after start) at a total `rate`, with due counts at and just before each. */
  scheduleForTest(
    rate: number,
    pumps: number,
    pumpIndex: number,
    count: number,
    shape?: { stages?: { durationNs: number; fromRate: number; toRate: number }[]; poisson?: boolean; seed?: number; queryNs?: number[] },
  ): { intendedNs: Float64Array; dueAt: Float64Array; dueBefore: Float64Array; dueAtQuery: Float64Array };
  /** Expands templates as pump 0 would: the first `keep` requests from `first` and their names; then `count` more, timed (ns per expansion). */
  expandTemplatesForTest(templates: NativeTemplates, first: number, count: number, keep: number): { requests: Buffer[]; names: number[]; nsPerRequest: number; bytesPerRequest: number };
  /** Pushes records through a ring of `capacity` bytes, popping one whenever a push is refused. */
  byteRingForTest(capacity: number, records: Buffer[]): { records: Buffer[]; refused: number; queuedAfter: number };
}

let addon: TestAddon | undefined;

/** The test addon of the same build as the production one: beside RATETEST_ADDON when that is set (the sanitizer build). */
export function loadTestAddon(): TestAddon {
  if (addon) return addon;
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const production = process.env.RATETEST_ADDON ?? join(root, 'build', 'Release', 'ratetest.node');
  addon = createRequire(import.meta.url)(join(dirname(production), 'ratetest_test.node')) as TestAddon;
  return addon;
}
