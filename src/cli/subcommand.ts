// subcommand.ts: how the file-reading subcommands (merge, compare) end: help is exit 0; a bad
// flag or file is one line naming the subcommand, exit 2.
import { CommanderError } from 'commander';
import { EXIT_OK, EXIT_USAGE } from '../common/errors.js';

export function subcommandFailed(name: string, err: unknown): number {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.help') return EXIT_OK;
    process.stderr.write(`ratetest ${name}: ${err.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ')}\n`);
    return EXIT_USAGE;
  }
  process.stderr.write(`ratetest ${name}: ${(err as Error).message}\n`);
  return EXIT_USAGE;
}
