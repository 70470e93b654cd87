// main.ts: the command line's entry: dispatch to a subcommand, or parse the run's flags and hand
// them to run-command.ts. Every command loads its own modules when chosen; `ratetest --version`
// alone loads neither commander nor the flags.
import type { CliRequest } from './flags.js';
import { EXIT_OK, EXIT_USAGE } from '../common/errors.js';
import { version } from '../common/version.js';
import { fail } from './fail.js';
import { ignoreClosedPipes } from './pipes.js';

type Command = (argv: string[]) => number | Promise<number>;

/** Subcommands by name, each imported when it is the one asked for. */
const SUBCOMMANDS: Record<string, () => Promise<Command>> = {
  'find-max': async () => (await import('./find-max.js')).findMaxMain,
  merge: async () => (await import('./merge.js')).mergeMain,
  compare: async () => (await import('./compare.js')).compareMain,
  grpc: async () => (await import('./grpc.js')).grpcMain,
  target: async () => (await import('./target.js')).targetMain,
  demo: async () => (await import('./demo.js')).demoMain,
  truth: async () => (await import('./truth.js')).truthMain,
};

/** Runs the CLI; returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  ignoreClosedPipes();
  const subcommand = argv[2] !== undefined && Object.hasOwn(SUBCOMMANDS, argv[2]) ? SUBCOMMANDS[argv[2]] : undefined;
  if (subcommand) return (await subcommand())([argv[0]!, argv[1]!, ...argv.slice(3)]);
  // Alone, the version needs neither commander nor the flags (about half of Node's own start).
  if (argv.length === 3 && (argv[2] === '--version' || argv[2] === '-v')) {
    process.stdout.write(`${version()}\n`);
    return EXIT_OK;
  }
  // A run's JavaScript wakes a few times a second, never per request, yet V8's optimizing
  // compiler maps ~5 MB of its code and zones for the functions that grow hot while commander and
  // the run's ~50 modules load (bench/RESULTS.md, "Peak RSS"). A script's hooks run per request:
  // those runs keep it.
  const { setFlagsFromString } = await import('node:v8');
  setFlagsFromString('--no-opt');
  const { CommanderError } = await import('commander');
  const { parseArgs, usageMessage } = await import('./flags.js');
  let request: CliRequest;
  try {
    request = parseArgs(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return EXIT_OK;
      process.stderr.write(`ratetest: ${usageMessage(err)} (see ratetest --help)\n`);
      return EXIT_USAGE;
    }
    return fail(err);
  }
  if (request.options.script) setFlagsFromString('--opt');
  return (await import('./run-command.js')).runCommand(request);
}
