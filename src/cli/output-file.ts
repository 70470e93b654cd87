// output-file.ts: the files a run writes (--json, --hgrm, --hdr-log, --html, --prom-file, and the
// subcommands' outputs). Checked before the run without creating anything, so a run that fails
// leaves no empty file behind; written whole or not at all (a temporary file renamed into place),
// so a full disk or a kill never leaves half a result where a tool or a textfile collector reads it.
// --hdr-log is written as the run goes (openStreamingOutput), under the same guarantees.
import { accessSync, closeSync, constants, existsSync, openSync, realpathSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UsageError } from '../common/errors.js';

export interface OutputOptions {
  /** `-` means stdout (only for outputs whose text may go there: --json). */
  allowStdout?: boolean;
}

function cannotWrite(flag: string, path: string, err: unknown): UsageError {
  const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
  return new UsageError(`${flag} cannot write "${path}": ${reason}`);
}

/** Only a regular file (or a new one) is replaced by rename; /dev/null, a FIFO or a terminal is written in place. */
function isSpecial(path: string): boolean {
  try {
    return !statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Fails before the run, not after minutes of load, when `path` cannot be written. Creates nothing. */
export function checkOutputPath(path: string, flag: string, options: OutputOptions = {}): void {
  if (path === '-') {
    if (options.allowStdout) return;
    throw new UsageError(`${flag} takes a file name ("-" for stdout is only for --json)`);
  }
  try {
    const stat = statSync(path, { throwIfNoEntry: false });
    if (stat?.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    if (stat) accessSync(path, constants.W_OK);
    // A new file, or a regular file replaced by rename: its directory must take new entries.
    if (!stat || stat.isFile()) accessSync(dirname(path), constants.W_OK);
  } catch (err) {
    throw cannotWrite(flag, path, err);
  }
}

/** Where a regular file is written before it is renamed into place. */
function temporaryFor(path: string): { target: string; temporary: string } {
  // Through a symlink to the file it names: renaming over the link would replace the link itself.
  const target = existsSync(path) ? realpathSync(path) : path;
  return { target, temporary: join(dirname(target), `.${basename(target)}.${process.pid}.tmp`) };
}

/** An output written as the run goes (a long run's --hdr-log would otherwise grow in memory). */
export interface StreamingOutput {
  write(text: string): void;
  /** Puts the file in place; throws the first write error as one UsageError line. */
  commit(): void;
  /** Leaves nothing behind: the run produced no result. */
  discard(): void;
}

/**
 * Opens `path` for writing in pieces, with writeOutput's guarantees: a regular file appears whole
 * at commit() (written to a temporary file, renamed), never half-written; a special file is
 * written in place. A write that fails is remembered and reported at commit(), so the run goes on.
 */
export function openStreamingOutput(path: string, flag: string): StreamingOutput {
  const special = isSpecial(path);
  const { target, temporary } = special ? { target: path, temporary: path } : temporaryFor(path);
  let fd: number | undefined;
  let error: unknown;
  try {
    fd = openSync(temporary, special ? 'a' : 'w');
  } catch (err) {
    error = err;
  }
  // A second Ctrl-C exits at once: the temporary file goes with it.
  const removeTemporary = () => void (special || rmSync(temporary, { force: true }));
  process.once('exit', removeTemporary);
  const close = () => {
    process.off('exit', removeTemporary);
    if (fd === undefined) return;
    try {
      closeSync(fd);
    } catch (err) {
      error ??= err;
    }
    fd = undefined;
  };
  return {
    write(text) {
      if (fd === undefined || error !== undefined) return;
      try {
        writeSync(fd, text);
      } catch (err) {
        error = err;
      }
    },
    commit() {
      close();
      try {
        if (error !== undefined) throw error;
        if (!special) renameSync(temporary, target);
      } catch (err) {
        removeTemporary();
        throw cannotWrite(flag, path, err);
      }
    },
    discard() {
      close();
      removeTemporary();
    },
  };
}

/** Writes `text` to `path` whole (or to stdout for `-` when allowed); a failure is one UsageError line. */
export function writeOutput(path: string, text: string, flag: string, options: OutputOptions = {}): void {
  if (path === '-' && options.allowStdout) {
    process.stdout.write(text);
    return;
  }
  if (isSpecial(path)) {
    try {
      writeFileSync(path, text);
    } catch (err) {
      throw cannotWrite(flag, path, err);
    }
    return;
  }
  const { target, temporary } = temporaryFor(path);
  try {
    writeFileSync(temporary, text);
    renameSync(temporary, target);
  } catch (err) {
    rmSync(temporary, { force: true });
    throw cannotWrite(flag, path, err);
  }
}
