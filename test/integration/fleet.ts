// fleet.ts: a local fleet for integration tests: N ratetest shard processes, each in its own
// network namespace (its own "host") reaching a target namespace over a veth pair, and a server
// there that logs every /t/<seq>. Where namespaces cannot be made (not root, no `ip`), the same
// fleet runs as N processes on 127.0.0.1 and says so. Bounded (-n), self-stopping, and it removes
// every namespace it made. Reusable: runFleet() hands back each shard's JSON result and files.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { ResultJson } from '../../src/report/json.js';
import { mustHaveExited, startCli, type CliRun } from './run-cli.js';

/**
 * One request as the server logged it: its {{seq}}, monotonic arrival, the answer's write
 * between answeringNs and answeredNs (ns), and the peer's address.
 */
export interface ServerEntry {
  seq: number;
  arrivalNs: number;
  answeringNs: number;
  answeredNs: number;
  peer: string;
}

export interface FleetOptions {
  shards: number;
  /** Flags every shard gets (the fleet's schedule), e.g. ['-R', '400', '-n', '1200', '-t', '1', '-c', '4']. */
  args: string[];
  /** Flags for shard i alone (threads may differ; the schedule may not). */
  shardArgs?: (index: number) => string[];
  /** The server holds every stallEvery-th request's answer for stallMs. */
  stallEvery?: number;
  stallMs?: number;
  /** The shards start this long after the fleet is launched (--start-at). */
  startInMs?: number;
  /** Force the 127.0.0.1 fallback. */
  loopback?: boolean;
  killAfterMs?: number;
}

export interface FleetShard {
  index: number;
  run: CliRun;
  json: ResultJson;
  jsonFile: string;
  hdrLogFile: string;
  /** The address the server sees this shard's connections come from (namespaces only). */
  peer?: string;
}

export interface FleetRun {
  mode: 'namespaces' | 'loopback';
  /** Why the fleet fell back to loopback, when it did. */
  fallback?: string;
  startAt: number;
  url: string;
  dir: string;
  shards: FleetShard[];
  server: ServerEntry[];
}

const SERVER = fileURLToPath(new URL('./fleet-server.mjs', import.meta.url));

/** The target's address inside the namespaces; every shard routes to it over its own veth. */
const TARGET = '10.200.0.1';

function ip(...args: string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${(r.stderr || r.error?.message || '').trim()}`);
}

/** The namespaces of one fleet: target plus one per shard, veth i joining shard i (10.200.i+1.2) to the target (.1). */
class Namespaces {
  readonly target: string;
  readonly shards: string[];
  private made: string[] = [];

  constructor(count: number) {
    const tag = `rtf${process.pid % 100000}`;
    this.target = `${tag}t`;
    this.shards = Array.from({ length: count }, (_, i) => `${tag}s${i}`);
  }

  create(): void {
    try {
      for (const ns of [this.target, ...this.shards]) {
        ip('netns', 'add', ns);
        this.made.push(ns);
        ip('-n', ns, 'link', 'set', 'lo', 'up');
      }
      ip('-n', this.target, 'addr', 'add', `${TARGET}/32`, 'dev', 'lo');
      this.shards.forEach((ns, i) => {
        const [a, b] = [`veth${process.pid % 10000}s${i}`, `veth${process.pid % 10000}t${i}`];
        ip('link', 'add', a, 'netns', ns, 'type', 'veth', 'peer', 'name', b, 'netns', this.target);
        ip('-n', ns, 'addr', 'add', `10.200.${i + 1}.2/24`, 'dev', a);
        ip('-n', this.target, 'addr', 'add', `10.200.${i + 1}.1/24`, 'dev', b);
        ip('-n', ns, 'link', 'set', a, 'up');
        ip('-n', this.target, 'link', 'set', b, 'up');
        ip('-n', ns, 'route', 'add', `${TARGET}/32`, 'via', `10.200.${i + 1}.1`);
      });
    } catch (err) {
      this.remove();
      throw err;
    }
  }

  /** Deleting a namespace deletes its end of each veth, and so the pair. */
  remove(): void {
    for (const ns of this.made.splice(0)) spawnSync('ip', ['netns', 'del', ns]);
  }
}

function startServer(launcher: string[], host: string, stallEvery: number, stallMs: number): Promise<{ child: ChildProcess; port: number }> {
  const [command, ...prefix] = [...launcher, process.execPath];
  const child = spawn(command!, [...prefix, SERVER, host, String(stallEvery), String(stallMs)], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => {
      const match = /^listening (\d+)$/.exec(line);
      if (match) resolve({ child, port: Number(match[1]) });
      else reject(new Error(`fleet server said "${line}"`));
    });
    child.once('exit', (code) => reject(new Error(`fleet server exited with ${code}`)));
  });
}

function dumpServer(child: ChildProcess): Promise<ServerEntry[]> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => {
      const rows = JSON.parse(line) as [number, number, number, number, string][];
      resolve(rows.map(([seq, arrivalNs, answeringNs, answeredNs, peer]) => ({ seq, arrivalNs, answeringNs, answeredNs, peer: peer.replace(/^::ffff:/, '') })));
    });
    child.once('exit', (code) => code !== 0 && reject(new Error(`fleet server exited with ${code}`)));
    child.stdin!.write('dump\n');
  });
}

/** Namespaces need root and `ip netns`; anything else runs the fleet on loopback. */
function namespacesOrWhyNot(count: number, loopback: boolean | undefined): { ns?: Namespaces; fallback?: string } {
  if (loopback) return { fallback: 'loopback asked for' };
  if (process.getuid?.() !== 0) return { fallback: 'not root' };
  const ns = new Namespaces(count);
  try {
    ns.create();
    return { ns };
  } catch (err) {
    return { fallback: (err as Error).message };
  }
}

/**
 * Runs one fleet: the server, then every shard with `--shard i/N --start-at <soon>`, `--json`
 * and `--hdr-log` into a fresh directory; waits for all, then takes the server's log.
 */
export async function runFleet(options: FleetOptions): Promise<FleetRun> {
  const { shards: count } = options;
  const { ns, fallback } = namespacesOrWhyNot(count, options.loopback);
  const dir = mkdtempSync(join(tmpdir(), 'ratetest-fleet-'));
  try {
    const host = ns ? TARGET : '127.0.0.1';
    const server = await startServer(ns ? ['ip', 'netns', 'exec', ns.target] : [], host, options.stallEvery ?? 0, options.stallMs ?? 0);
    try {
      const url = `http://${host}:${server.port}/t/{{seq}}`;
      // Node takes ~0.5 s to start a shard on an idle machine, and was seen taking 7 s on a machine
      // at load 18; a shard later than this starts at once and says how late (lateNs).
      const startAt = Date.now() + (options.startInMs ?? 5000);
      const started = Array.from({ length: count }, (_, i) => {
        const jsonFile = join(dir, `shard-${i}.json`);
        const hdrLogFile = join(dir, `shard-${i}.hlog`);
        const args = [...options.args, ...(options.shardArgs?.(i) ?? []), '--shard', `${i}/${count}`, '--start-at', String(startAt), '--json', jsonFile, '--hdr-log', hdrLogFile, url];
        const cli = startCli(args, options.killAfterMs ?? 60_000, undefined, ns ? ['ip', 'netns', 'exec', ns.shards[i]!] : []);
        return { index: i, jsonFile, hdrLogFile, done: cli.done, ...(ns ? { peer: `10.200.${i + 1}.2` } : {}) };
      });
      const shards: FleetShard[] = [];
      for (const s of started) {
        const run = mustHaveExited(await s.done);
        if (run.code !== 0) throw new Error(`shard ${s.index} exited with ${run.code}:\n${run.stderr}`);
        const json = JSON.parse(readFileSync(s.jsonFile, 'utf8')) as ResultJson;
        shards.push({ index: s.index, run, json, jsonFile: s.jsonFile, hdrLogFile: s.hdrLogFile, ...(s.peer ? { peer: s.peer } : {}) });
      }
      const log = await dumpServer(server.child);
      return { mode: ns ? 'namespaces' : 'loopback', ...(fallback ? { fallback } : {}), startAt, url, dir, shards, server: log };
    } finally {
      server.child.kill();
    }
  } finally {
    ns?.remove();
  }
}
