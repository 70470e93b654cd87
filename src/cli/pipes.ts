// pipes.ts: `ratetest --help | head` or a report piped into a reader that quits early. Node
// ignores SIGPIPE and raises EPIPE on the stream instead, which, unhandled, ends the process with
// a stack trace; and a run in progress would lose its --json and other files with it. The text
// has nowhere to go once the reader is gone, so further writes are dropped and the run finishes.
import type { Writable } from 'node:stream';

const guarded = new WeakSet<Writable>();

/** Drops writes to stdout and stderr once their reader has gone, instead of crashing. */
export function ignoreClosedPipes(streams: Writable[] = [process.stdout, process.stderr]): void {
  for (const stream of streams) {
    if (guarded.has(stream)) continue;
    guarded.add(stream);
    // Any error here is the reader's end of the pipe (EPIPE, or a write after it closed):
    // there is no one left to tell.
    stream.on('error', () => {});
  }
}
