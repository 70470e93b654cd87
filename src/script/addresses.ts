// addresses.ts: wrk.lookup() and wrk.connect() for scripts. Lua calls them synchronously (in
// setup() or init(), before the run), and Node's resolver and sockets are asynchronous, so a
// short-lived child Node process does the work and the script waits for its answer.
import { execFileSync } from 'node:child_process';
import { isIP } from 'node:net';

/** How long a connection attempt or a lookup may take, as the child measures it. */
const ANSWER_TIMEOUT_MS = 5000;
/**
 * How long the child may take in all: its own Node start as well, which a busy machine can
 * stretch to seconds (node -e 0 took 1.8 s at load 16 here), so a slow start is not a failed connect.
 */
const CHILD_TIMEOUT_MS = 30_000;

/** A service name or number as wrk takes it ("http", "https", "8080") as a port. */
export function servicePort(service: string, defaultPort: number): number {
  if (service === 'http') return 80;
  if (service === 'https') return 443;
  const port = Number(service);
  return Number.isInteger(port) && port > 0 && port < 65536 ? port : defaultPort;
}

/** Every address `host` resolves to, as [address, port, address, port, ...]. */
export function lookupSync(host: string, port: number): (string | number)[] {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  if (isIP(bare)) return [bare, port];
  const code = `setTimeout(() => process.exit(1), ${ANSWER_TIMEOUT_MS}).unref(); require('node:dns').lookup(process.argv[1], { all: true }, (err, list) => process.stdout.write(JSON.stringify(err ? [] : list.map((a) => a.address))))`;
  try {
    const out = execFileSync(process.execPath, ['-e', code, bare], { timeout: CHILD_TIMEOUT_MS, encoding: 'utf8' });
    return (JSON.parse(out) as string[]).flatMap((address) => [address, port]);
  } catch {
    return [];
  }
}

/** Whether a TCP connection to host:port succeeds (within the timeout). */
export function connectSync(host: string, port: number): boolean {
  const code = `const s = require('node:net').connect(Number(process.argv[2]), process.argv[1]); setTimeout(() => process.exit(1), ${ANSWER_TIMEOUT_MS}); s.on('connect', () => { s.destroy(); process.exit(0); }); s.on('error', () => process.exit(1));`;
  try {
    execFileSync(process.execPath, ['-e', code, host, String(port)], { timeout: CHILD_TIMEOUT_MS, stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
