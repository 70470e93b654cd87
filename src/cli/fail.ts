// fail.ts: how any command ends on an error: one line on stderr and the error's exit code.
import { RatetestError, exitCodeFor } from '../common/errors.js';

/** One line on stderr for any failure; a stack trace never reaches the user. */
export function fail(err: unknown): number {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(err instanceof RatetestError ? `ratetest: ${message}\n` : `ratetest: internal error: ${message}\n`);
  return exitCodeFor(err);
}
