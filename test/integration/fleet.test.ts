// A local fleet: 4 shards of one schedule (each in its own network namespace where it can be, on
// 127.0.0.1 otherwise), started together with --start-at, against a server that logs every
// /t/{{seq}} and stalls now and then. Asserts accounting and the shard rule, not pace: every
// request number once, each shard exactly its k = I (mod N), counts that add up, one fingerprint.
import { readFileSync, rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { root, violations } from '../fixtures/schema.js';
import { ENGINE_BUILT } from './run-cli.js';
import { runFleet, type FleetRun } from './fleet.js';
import { decodeFromCompressedBase64 } from 'hdr-histogram-js';
import { join } from 'node:path';
import { computeTruth } from '../../src/analysis/truth.js';
import { checkAgainstTruth } from '../../src/analysis/truth-check.js';
import type { ResultJson } from '../../src/report/json.js';
import { runCli } from './run-cli.js';
import { skipIfBusy } from './pace.js';

const SHARDS = 4;
const RATE = 400;
const TOTAL = 1200;

describe.skipIf(!ENGINE_BUILT)(`a fleet of ${SHARDS} shards (-R ${RATE} -n ${TOTAL}, threads 1, 2, 1, 2)`, () => {
  let fleet: FleetRun;
  afterAll(() => fleet && rmSync(fleet.dir, { recursive: true, force: true }));

  it('runs, in network namespaces or (said here) on 127.0.0.1', async () => {
    fleet = await runFleet({
      shards: SHARDS,
      args: ['-R', String(RATE), '-n', String(TOTAL), '-c', '4'],
      shardArgs: (i) => ['-t', String(1 + (i % 2))],
      stallEvery: 250,
      stallMs: 100,
      // Room for four Node processes to start on a busy machine before the shared start instant.
      startInMs: 8000,
      // The fallback path, on demand: RATETEST_FLEET_LOOPBACK=1.
      loopback: process.env.RATETEST_FLEET_LOOPBACK === '1',
    });
    console.info(fleet.mode === 'namespaces' ? `fleet: ${SHARDS} shards, each in its own network namespace` : `fleet: fell back to ${SHARDS} processes on 127.0.0.1 (${fleet.fallback})`);
    expect(fleet.shards).toHaveLength(SHARDS);
  }, 120_000);

  it('the server saw every request number 1..total exactly once', () => {
    const seqs = fleet.server.map((e) => e.seq).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: TOTAL }, (_, k) => k + 1));
  });

  it("each shard sent exactly its k = I (mod N), and the shards' counts add up to the server's", () => {
    for (const shard of fleet.shards) {
      expect(shard.json.sent).toBe(TOTAL / SHARDS);
      expect(shard.json.completed).toBe(TOTAL / SHARDS);
      expect(shard.json.sent + shard.json.notSent).toBe(shard.json.scheduled);
    }
    expect(fleet.shards.reduce((sum, s) => sum + s.json.completed, 0)).toBe(fleet.server.length);
    if (fleet.mode === 'namespaces') {
      // The peer address says which shard sent it: shard I sends {{seq}} = k + 1 with k = I (mod N).
      for (const e of fleet.server) expect(e.peer, `seq ${e.seq}`).toBe(fleet.shards[(e.seq - 1) % SHARDS]!.peer);
    }
  });

  it('every shard records its place, one start instant and one fingerprint, in its JSON, .hlog and report', () => {
    const startAt = new Date(fleet.startAt).toISOString();
    const fingerprints = new Set(fleet.shards.map((s) => s.json.shard!.fingerprint));
    expect(fingerprints.size).toBe(1);
    for (const shard of fleet.shards) {
      expect(violations(shard.json, root)).toEqual([]);
      expect(shard.json.shard).toMatchObject({ index: shard.index, count: SHARDS, startAt });
      expect(shard.json.shard!.lateNs).toBeGreaterThanOrEqual(0);
      // The schedule started at the instant, or as late as the shard says it was.
      expect(Math.abs(Date.parse(shard.json.startedAt) - fleet.startAt - shard.json.shard!.lateNs! / 1e6)).toBeLessThanOrEqual(1);
      const { fingerprint } = shard.json.shard!;
      expect(readFileSync(shard.hdrLogFile, 'utf8').split('\n')[1]).toBe(`#[Shard: ${shard.index}/${SHARDS} fingerprint=${fingerprint} startAt=${startAt}]`);
      expect(shard.run.stderr + shard.run.stdout).toContain(`Shard ${shard.index}/${SHARDS} of the fleet's schedule, fingerprint ${fingerprint}`);
    }
  });

  it("no shard bunched its share: each shard's schedule holds N/R-spaced requests, and the server saw each shard's in order", () => {
    // The spacing is the schedule's (the unit tests prove the union is the unsharded stream);
    // here: each shard's target is R/N in every whole second, and its requests reached the
    // server in the order of their numbers (each thread sends its lane in order), whatever the pace.
    for (const shard of fleet.shards) {
      // -n ends the schedule near TOTAL / RATE seconds (at the shard's last request, or later on a
      // slow run, whose later seconds have no target); every whole second before holds R/N.
      const target = shard.json.targetPerSecond!;
      for (const perSecond of target.slice(0, TOTAL / RATE - 1)) expect(perSecond).toBeCloseTo(RATE / SHARDS, 6);
      const total = target.reduce((a, b) => a + b, 0);
      expect(total).toBeGreaterThan(TOTAL / SHARDS - 1);
      expect(total).toBeLessThanOrEqual(TOTAL / SHARDS);
      const { threads, connections } = shard.json.config;
      const stride = SHARDS * threads;
      for (let i = 0; i < threads; i++) {
        // Thread i's lane: k = I + N*i (mod N*T), k = seq - 1.
        const lane = fleet.server.filter((e) => (e.seq - 1) % stride === shard.index + SHARDS * i).sort((a, b) => a.arrivalNs - b.arrivalNs);
        expect(lane.length).toBeGreaterThan(0);
        // Requests on different connections can cross on the way (the server's event loop takes a
        // batch of sockets in its own order), about as far as the thread's connections; a rare
        // longer crossing is the server's loop, a common one would be a lane sent out of order.
        const perThread = Math.ceil(connections / threads);
        const crossed = lane.filter((e, j) => j > 0 && (lane[j - 1]!.seq - e.seq) / stride > perThread).length;
        expect(crossed / lane.length, `shard ${shard.index} thread ${i}`).toBeLessThan(0.02);
      }
    }
  });

  describe('merged with ratetest merge --expect-shards', () => {
    const files = () => fleet.shards.map((s) => s.jsonFile);

    it("adds up to the server's count, and its corrected p50..p99.9 match the server's truth within 2% + 1 ms of the bracket its log puts each answer's write in", async (ctx) => {
      const out = join(fleet.dir, 'merged.json');
      const merged = await runCli(['merge', '--expect-shards', String(SHARDS), ...files(), '--json', out]);
      expect(merged.code, merged.stderr).toBe(0);
      const json = JSON.parse(readFileSync(out, 'utf8')) as ResultJson;
      expect(json.completed).toBe(fleet.server.length);
      expect(json.shards!.count).toBe(SHARDS);
      // The truth needs a schedule the whole fleet kept: each shard's self-check says whether it did.
      for (const shard of fleet.shards) skipIfBusy(ctx, { json: shard.json });
      // A shard that missed --start-at (still starting up) runs its share late, on a schedule of its own.
      const late = fleet.shards.find((s) => (s.json.shard!.lateNs ?? 0) > 1e6);
      if (late) ctx.skip(`shard ${late.index} started ${(late.json.shard!.lateNs! / 1e6).toFixed(1)} ms after --start-at: the fleet did not share one schedule`);
      // The server logged each answer's write between two readings. A reading ms off (its process
      // preempted beside the write) moves the sparse tail's percentiles by ms (the p99 of 1200 is
      // one request), so each percentile must lie between the truth of the earlier readings and that
      // of the later, with the allowance of each: every write lies between its two readings, and so
      // does every percentile of the writes.
      const truth = (stamp: 'answeringNs' | 'answeredNs') => computeTruth({ requests: fleet.server.map((e) => [e.seq, e.arrivalNs, e[stamp]] as const) }, { rate: RATE }).latency;
      const [corrected, uncorrected] = [json.latency.corrected.histogram, json.latency.uncorrected.histogram].map((h) => decodeFromCompressedBase64(h));
      const byStart = checkAgainstTruth(truth('answeringNs'), corrected!, uncorrected!);
      const byEnd = checkAgainstTruth(truth('answeredNs'), corrected!, uncorrected!);
      const rows = byStart.rows.map((s, i) => {
        const e = byEnd.rows[i]!;
        return { percentile: s.percentile, correctedNs: s.correctedNs, truthNs: [s.truthNs, e.truthNs], agrees: s.differenceNs >= -s.allowedNs && e.differenceNs <= e.allowedNs };
      });
      expect(byStart.truthCount).toBe(json.completed);
      expect(rows.every((r) => r.agrees), JSON.stringify(rows)).toBe(true);
    });

    it('judges --threshold on the whole fleet: exit 1 for a gate it misses, 0 for one it meets', async () => {
      const missed = await runCli(['merge', '--expect-shards', String(SHARDS), ...files(), '--threshold', 'p50<1ns']);
      expect(missed.code, missed.stderr).toBe(1);
      expect(missed.stdout + missed.stderr).toContain('p50<1ns');
      const met = await runCli(['merge', '--expect-shards', String(SHARDS), ...files(), '--threshold', 'non2xx=0']);
      expect(met.code, met.stderr).toBe(0);
    });

    it('refuses a missing shard, a duplicated one, and one run with another -R (exit 2, one line naming it)', async () => {
      const missing = await runCli(['merge', '--expect-shards', String(SHARDS), ...files().slice(1)]);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain(`shard 0/${SHARDS} is missing`);
      const twice = await runCli(['merge', '--expect-shards', String(SHARDS), ...files(), files()[0]!]);
      expect(twice.code).toBe(2);
      expect(twice.stderr).toContain(`shard 0/${SHARDS} appears twice`);
      // Shard 2 again, as a machine given -R 500 would run it. Only on loopback: the fleet's server
      // is gone by now (its connect errors are counted, and the run gives up on a dead target by
      // itself), and a namespace address must never be tried from outside its namespaces.
      const otherFile = join(fleet.dir, 'other-rate.json');
      const shard2 = fleet.shards[2]!.json.config;
      const rerun = await runCli(['-R', '500', '-n', String(TOTAL), '-c', '4', '-t', String(shard2.threads), '--shard', `2/${SHARDS}`, '--connect-timeout', '200ms', '--timeout', '200ms', '--json', otherFile, fleet.mode === 'loopback' ? fleet.url : 'http://127.0.0.1:9/t/{{seq}}']);
      expect([0, 1]).toContain(rerun.code);
      const differs = await runCli(['merge', '--expect-shards', String(SHARDS), ...files().slice(0, 2), otherFile, files()[3]!]);
      expect(differs.code).toBe(2);
      expect(differs.stderr).toContain(`shard 2/${SHARDS}`);
      expect(differs.stderr).toContain('fingerprint');
    });
  });
});
