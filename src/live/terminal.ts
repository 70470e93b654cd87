// terminal.ts: a full-screen view on a terminal with plain ANSI sequences, and the promise to give
// the terminal back as it was: on leave(), on process exit, on SIGTERM and on a crash (before Node
// prints the error, so the error lands on the normal screen). No raw mode: Ctrl-C stays the run's
// SIGINT. A few sequences suffice, so no terminal library (each costs start time; ink brings React).
import { writeSync } from 'node:fs';

/** Select Graphic Rendition: wraps text in a style and resets it after. */
export const style = {
  bold: (s: string) => `\x1b[1m${s}\x1b[22m`,
  dim: (s: string) => `\x1b[2m${s}\x1b[22m`,
  inverse: (s: string) => `\x1b[7m${s}\x1b[27m`,
  green: (s: string) => `\x1b[32m${s}\x1b[39m`,
  yellow: (s: string) => `\x1b[33m${s}\x1b[39m`,
  red: (s: string) => `\x1b[31m${s}\x1b[39m`,
  cyan: (s: string) => `\x1b[36m${s}\x1b[39m`,
};

// Alternate screen on, cursor hidden, line wrap off (a line one column too wide must not scroll
// the frame), cursor home; leaving undoes each, last in first out. Its first line break matters
// only where there is no alternate screen (tmux with alternate-screen off): what follows then
// starts below the last frame, not on its last line.
export const ENTER = '\x1b[?1049h\x1b[?25l\x1b[?7l\x1b[H\x1b[2J';
export const LEAVE = '\r\n\x1b[0m\x1b[?7h\x1b[?25h\x1b[?1049l';

/** A terminal stream: what Node's tty.WriteStream has that a plain stream lacks. */
export interface TerminalStream extends NodeJS.WritableStream {
  fd: number;
  columns: number;
  rows: number;
}

export class Screen {
  private active = false;
  // Synchronous: by 'exit' or a crash, an asynchronous write would never reach the terminal.
  private readonly restore = () => this.leave();
  private readonly onSigterm = () => {
    this.leave();
    // The default action, now that the terminal is back: end as SIGTERM would have.
    process.kill(process.pid, 'SIGTERM');
  };

  constructor(private readonly out: TerminalStream) {}

  get columns(): number {
    return this.out.columns;
  }

  get rows(): number {
    return this.out.rows;
  }

  enter(): void {
    if (this.active) return;
    this.active = true;
    process.on('exit', this.restore);
    process.on('uncaughtExceptionMonitor', this.restore);
    process.once('SIGTERM', this.onSigterm);
    this.write(ENTER);
  }

  /** Replaces the screen with these lines (each already fitted to the width), top to bottom. */
  draw(lines: string[]): void {
    if (!this.active) return;
    this.write('\x1b[H' + lines.slice(0, this.rows).map((line) => line + '\x1b[K').join('\r\n') + '\x1b[J');
  }

  /** Gives the terminal back: the normal screen as it was, the cursor shown. Safe to call twice. */
  leave(): void {
    if (!this.active) return;
    this.active = false;
    process.off('exit', this.restore);
    process.off('uncaughtExceptionMonitor', this.restore);
    process.off('SIGTERM', this.onSigterm);
    this.write(LEAVE);
  }

  private write(text: string): void {
    const bytes = Buffer.from(text);
    try {
      for (let done = 0; done < bytes.length; ) done += writeSync(this.out.fd, bytes, done);
    } catch {
      // A terminal that has gone away (the window closed) cannot be drawn on or restored.
    }
  }
}
