// capacity-server.ts: a server whose capacity the test sets: it answers at most `perSecond`
// requests a second and queues the rest, first come first served, like a server with one worker
// and a fixed service time of 1/perSecond. Below capacity the queue stays near empty and latency
// low; above it the queue (and latency) grows for as long as the overload lasts: a sharp knee
// at exactly `perSecond` for find-max to find.
import type http from 'node:http';
import { performance } from 'node:perf_hooks';
import { httpServer, type TestServer } from './servers.js';

/** How often the worker wakes; the budget is by elapsed time, so timer jitter cannot raise the rate. */
const TICK_MS = 2;
/** Idle time does not bank service: at most this long's worth of responses in one burst. */
const MAX_BURST_MS = 5;

export interface CapacityServer extends TestServer {
  /** Requests waiting now. */
  queued(): number;
}

export async function capacityServer(perSecond: number): Promise<CapacityServer> {
  const queue: http.ServerResponse[] = [];
  let head = 0;
  let budget = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    budget = Math.min(budget + ((now - last) * perSecond) / 1000, (MAX_BURST_MS * perSecond) / 1000);
    last = now;
    while (budget >= 1 && head < queue.length) {
      const res = queue[head++]!;
      // A client that went away (its run ended) costs the worker nothing, as a cancelled job.
      if (res.destroyed || res.socket?.destroyed) continue;
      res.end('ok');
      budget -= 1;
    }
    if (head > 4096 && head * 2 > queue.length) {
      queue.splice(0, head);
      head = 0;
    }
  }, TICK_MS);
  const server = await httpServer((_req, res) => {
    queue.push(res);
  });
  return {
    ...server,
    queued: () => queue.length - head,
    close: async () => {
      clearInterval(timer);
      for (let i = head; i < queue.length; i++) queue[i]!.destroy();
      await server.close();
    },
  };
}
