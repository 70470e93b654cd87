// stall-server.ts: starts and stops a stalling server fixture (test/fixtures/*-stall-server.mjs)
// in a process of its own, and turns its log into the server-side truth (src/analysis/truth.ts)
// for the coordinated-omission tests over HTTP/2 and gRPC. Each fixture prints its port, then on
// SIGTERM its log as JSON ({"requests": [[k, arrivedNs, answeredNs], ...]}).
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Histogram } from 'hdr-histogram-js';
import { computeTruth } from '../../src/analysis/truth.js';

export type StallLog = [number, number, number][];

export interface StallServer {
  /** http://127.0.0.1:<port>, without a trailing slash. */
  url: string;
  /** Stops the server; resolves with its log. */
  stop(): Promise<StallLog>;
}

/**
 * Starts test/fixtures/<fixture> answering after a stall of stallMs every periodMs, the first one
 * firstAtMs after its first request; resolves once it listens.
 */
export function startStallServer(fixture: string, firstAtMs: number, periodMs: number, stallMs: number): Promise<StallServer> {
  const script = fileURLToPath(new URL(`../fixtures/${fixture}`, import.meta.url));
  const child = spawn(process.execPath, [script, String(firstAtMs), String(periodMs), String(stallMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (output += d));
  const stop = () => stopChild(child, () => output);
  return new Promise((resolve) => {
    const check = () => (output.includes('\n') ? resolve({ url: `http://127.0.0.1:${Number(output.split('\n')[0])}`, stop }) : setTimeout(check, 20));
    check();
  });
}

function stopChild(child: ChildProcess, output: () => string): Promise<StallLog> {
  return new Promise((resolve) => {
    child.on('close', () => resolve((JSON.parse(output().split('\n')[1]!) as { requests: StallLog }).requests));
    child.kill('SIGTERM');
  });
}

/** The true corrected latency of every answered request of a run at `rate` per second, ns. */
export function truthHistogram(log: StallLog, rate: number): Histogram {
  return computeTruth({ requests: log }, { rate }).latency;
}
