// target.ts: `ratetest target`: the built-in server for load tests on this machine. Flags ->
// TargetOptions (every check and its message here), start, one line when ready, stop on Ctrl-C.
import { Command, Option } from 'commander';
import { EXIT_OK, UsageError } from '../common/errors.js';
import { formatDurationShort, parseCount, parseDuration } from '../common/units.js';
import { startTarget, type TargetOptions } from '../target/server.js';
import type { StallSchedule } from '../target/stall.js';
import { DEFAULT_TRUTH_LIMIT } from '../target/truth-log.js';
import { subcommandFailed } from './subcommand.js';

export const TARGET_DEFAULTS = { host: '127.0.0.1', port: 8080, bodySize: 16 } as const;
/** Answers larger than this are not what a latency target is for. */
export const MAX_BODY_BYTES = 64 * 1024 * 1024;
export const MAX_TRUTH_LIMIT = 100_000_000;

interface TargetFlags {
  port?: string;
  host?: string;
  delay?: string;
  stall?: string;
  bodySize?: string;
  truthLimit?: string;
}

export function parsePort(text: string, flag: string): number {
  const port = /^\d{1,5}$/.test(text.trim()) ? Number(text) : NaN;
  if (!(port >= 0 && port <= 65535)) throw new UsageError(`${flag} must be a whole number from 0 to 65535, got "${text}"`);
  return port;
}

const STALL_FORM = 'like 300ms/2s (stall length/period)';

/** "300ms/2s": a 300 ms stall every 2 s, the first 2 s after the first numbered request. */
export function parseStall(text: string): StallSchedule {
  const parts = text.split('/');
  if (parts.length !== 2) throw new UsageError(`--stall must look ${STALL_FORM}, got "${text}"`);
  const lengthNs = parseDuration(parts[0]!, `--stall length in "${text}"`);
  const everyNs = parseDuration(parts[1]!, `--stall period in "${text}"`);
  if (!(lengthNs > 0 && lengthNs < everyNs)) throw new UsageError(`--stall length must be > 0 and shorter than its period, got "${text}"`);
  return { lengthNs, everyNs, firstAtNs: everyNs };
}

export function parseTargetArgs(argv: string[]): TargetOptions {
  const program = new Command('ratetest target')
    .description('Serve HTTP/1.1 for load tests on this machine; requests to /t/<k> are logged (GET /__truth reads the log, DELETE /__truth resets it).')
    .addOption(new Option('--port <port>', `port to listen on, 0 for any free one (default ${TARGET_DEFAULTS.port})`))
    .addOption(new Option('--host <address>', `address to listen on (default ${TARGET_DEFAULTS.host})`))
    .addOption(new Option('--delay <duration>', 'added to every answer, e.g. 5ms'))
    .addOption(new Option('--stall <length/period>', 'hold every answer during a stall of <length> every <period>, then release them all, e.g. 300ms/2s'))
    .addOption(new Option('--body-size <bytes>', `size of each answer's body (default ${TARGET_DEFAULTS.bodySize})`))
    .addOption(new Option('--truth-limit <count>', `numbered requests the truth log keeps (default ${DEFAULT_TRUTH_LIMIT})`))
    .allowExcessArguments()
    .exitOverride()
    .configureOutput({ writeErr: () => {} });
  program.parse(argv);
  if (program.args.length > 0) throw new UsageError(`unexpected argument "${program.args[0]}" (ratetest target takes only flags)`);
  const flags = program.opts<TargetFlags>();
  const options: TargetOptions = {
    host: flags.host ?? TARGET_DEFAULTS.host,
    port: flags.port !== undefined ? parsePort(flags.port, '--port') : TARGET_DEFAULTS.port,
    delayNs: flags.delay !== undefined ? parseDuration(flags.delay, '--delay') : 0,
    bodySize: flags.bodySize !== undefined ? parseCount(flags.bodySize, '--body-size') : TARGET_DEFAULTS.bodySize,
    truthLimit: flags.truthLimit !== undefined ? parseCount(flags.truthLimit, '--truth-limit') : DEFAULT_TRUTH_LIMIT,
  };
  if (flags.stall !== undefined) options.stall = parseStall(flags.stall);
  if (options.bodySize > MAX_BODY_BYTES) throw new UsageError(`--body-size must be at most ${MAX_BODY_BYTES} bytes (64 MiB), got "${flags.bodySize}"`);
  if (options.truthLimit < 1 || options.truthLimit > MAX_TRUTH_LIMIT) throw new UsageError(`--truth-limit must be from 1 to ${MAX_TRUTH_LIMIT}, got "${flags.truthLimit}"`);
  return options;
}

/** The one line printed when the target is ready. */
export function readyLine(url: string, options: TargetOptions): string {
  const extras = [
    options.delayNs > 0 ? `delay ${formatDurationShort(options.delayNs)}` : '',
    options.stall ? `stall ${formatDurationShort(options.stall.lengthNs)} every ${formatDurationShort(options.stall.everyNs)}` : '',
  ].filter(Boolean);
  return `ratetest target: listening on ${url}${extras.length ? ` (${extras.join(', ')})` : ''}; /t/<k> requests logged at ${url}__truth (up to ${options.truthLimit}); Ctrl-C stops\n`;
}

/** Why listen() failed, in one line. */
function listenError(err: NodeJS.ErrnoException, options: TargetOptions): UsageError {
  const where = `${options.host.includes(':') ? `[${options.host}]` : options.host}:${options.port}`;
  if (err.code === 'EADDRINUSE') return new UsageError(`cannot listen on ${where}: the port is in use (choose another with --port, or --port 0 for any free one)`);
  if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND') return new UsageError(`cannot listen on ${where}: --host is not an address of this machine`);
  if (err.code === 'EACCES') return new UsageError(`cannot listen on ${where}: permission denied (ports below 1024 need privileges)`);
  return new UsageError(`cannot listen on ${where}: ${err.code ?? err.message}`);
}

export async function targetMain(argv: string[]): Promise<number> {
  try {
    const options = parseTargetArgs(argv);
    options.onTruthFull = () =>
      process.stderr.write(`ratetest target: the truth log is full (${options.truthLimit} requests); later requests are answered but not logged until DELETE /__truth\n`);
    const target = await startTarget(options).catch((err: NodeJS.ErrnoException) => {
      throw listenError(err, options);
    });
    // Ctrl-C (or SIGTERM from a supervisor) is the normal way to stop a server: exit 0. Listened
    // for before the ready line, so whoever waits for that line may stop the target at once.
    const stopped = new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    process.stdout.write(readyLine(target.url, options));
    await stopped;
    const recorded = target.recorded();
    await target.close();
    process.stdout.write(`ratetest target: stopped (${recorded} numbered requests in the truth log)\n`);
    return EXIT_OK;
  } catch (err) {
    return subcommandFailed('target', err);
  }
}
