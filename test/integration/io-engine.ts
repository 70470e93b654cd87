// io-engine.ts: what the --io-engine io_uring test files share: the flags, and whether this
// machine lets io_uring run at all (another OS, or a kernel or sandbox that refuses it, gets one
// line and exit 2).
import { runCli } from './run-cli.js';

export const RING = ['--io-engine', 'io_uring'];

/** Why io_uring cannot run here, or undefined when it can: the CLI's own one-line refusal. */
export async function ringRefused(url: string): Promise<string | undefined> {
  const run = await runCli([...RING, '-R', '10', '-n', '1', '-c', '1', '-t', '1', url]);
  return run.code === 2 && /^ratetest: --io-engine io_uring(:| needs Linux)/.test(run.stderr) ? run.stderr.trim() : undefined;
}
