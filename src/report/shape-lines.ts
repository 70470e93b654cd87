// shape-lines.ts: the text report's lines for the load shape: closed loop, stages, warm-up,
// connections opened, the shard of a fleet. Each appears only when its option was used.
import type { Result } from '../result/result.js';

/** The Rate line for a closed-loop run, which has no requested rate to compare with. */
export function closedLoopRateLine(result: Result): string {
  return `  Rate: closed loop (-R max), achieved ${result.achievedRate.toFixed(2)}/s`;
}

export function shapeLines(result: Result): string[] {
  const lines: string[] = [];
  const c = result.config;
  if (c.closedLoop) {
    lines.push(
      '  Latency is uncorrected: with -R max each request is sent when its connection\'s previous response arrives,',
      '    so there is no intended send time; a slow server slows the sending, and queueing delay goes unseen.',
    );
  }
  if (c.stages) {
    const ramps = c.stages.map((s) => `${(s.durationNs / 1e9).toFixed(s.durationNs % 1e9 === 0 ? 0 : 3)}s ${s.fromRate}->${s.toRate}/s`).join(', ');
    lines.push(`  Stages: ${ramps}`);
  }
  if (c.arrival === 'poisson') lines.push(`  Arrivals: Poisson (seed ${c.seed})`);
  if (result.targetPerSecond && (c.stages || c.arrival === 'poisson')) {
    const target = result.targetPerSecond.reduce((a, b) => a + b, 0);
    lines.push(`  Target vs achieved: ${Math.round(target)} requests scheduled by the shape, ${result.scheduled} due, ${result.completed} completed`);
    if (c.stages) lines.push(...perSecondLines(result, result.targetPerSecond));
  }
  if (result.shard) lines.push(shardLine(result.shard));
  if (result.warmup) {
    const w = result.warmup;
    lines.push(
      `  Warm-up (excluded): ${(w.durationNs / 1e9).toFixed(2)}s, ${w.scheduled} scheduled, ${w.sent} sent, ${w.completed} completed, ${w.queued} queued`,
    );
  }
  if (c.maxConnections !== undefined) {
    const busiest = result.openedPerSecond.reduce((best, n, s) => (n > (result.openedPerSecond[best] ?? 0) ? s : best), 0);
    const when = result.connectionsOpened > 0 ? ` (most in second ${busiest + 1}: ${result.openedPerSecond[busiest]})` : '';
    lines.push(`  Connections opened: ${result.connectionsOpened} beyond the ${c.connections} of -c, cap ${c.maxConnections}${when}`);
  }
  if (c.requestCount !== undefined) lines.push(`  Requests: ${result.sent} of -n ${c.requestCount} sent`);
  return lines;
}

/** Per second, target/achieved, ten seconds a line; long runs show every tenth second (JSON has all). */
const PER_LINE = 10;
const MAX_SHOWN = 60;
function perSecondLines(result: Result, target: number[]): string[] {
  const achieved = target.map((_, s) => result.threads.reduce((sum, t) => sum + (t.perSecond[s] ?? 0), 0));
  const step = target.length > MAX_SHOWN ? Math.ceil(target.length / MAX_SHOWN) : 1;
  const cells: string[] = [];
  for (let s = 0; s < target.length; s += step) cells.push(`${s + 1}s ${Math.round(target[s]!)}/${achieved[s]}`);
  const lines = [`  Per second, target/achieved${step > 1 ? ` (every ${step}th second)` : ''}:`];
  for (let i = 0; i < cells.length; i += PER_LINE) lines.push(`    ${cells.slice(i, i + PER_LINE).join(', ')}`);
  return lines;
}

/** "Shard 1/4 of the fleet's schedule, fingerprint ..., started 0.25s after --start-at". */
function shardLine(shard: NonNullable<Result['shard']>): string {
  const late = shard.lateNs !== undefined && shard.lateNs > 0 ? `, started ${(shard.lateNs / 1e9).toFixed(3)}s after --start-at ${shard.startAt}` : shard.startAt !== undefined ? `, started at --start-at ${shard.startAt}` : '';
  return `  Shard ${shard.index}/${shard.count} of the fleet's schedule, fingerprint ${shard.fingerprint}${late}`;
}
