// dashboard.ts: --dashboard, the full-screen live view of a run on a terminal. Fed the engine's
// live snapshots; redraws at most once per DASHBOARD_PERIOD_MS and gives the terminal back before
// the report is printed. Imported only when --dashboard is given.
import type { RunConfig } from '../config/options.js';
import type { RunSnapshot } from '../engine/run.js';
import { DashboardWindow } from './dashboard-window.js';
import { MIN_COLUMNS, MIN_ROWS, renderDashboard } from './dashboard-view.js';
import { Screen, type TerminalStream } from './terminal.js';

/** Snapshots and redraws 4 times a second: a 250 ms stall shows as its own bar, and the redraw costs the run nothing it would notice. */
export const DASHBOARD_PERIOD_MS = 250;

/** Why the dashboard cannot be shown on this stream, or undefined when it can. */
export function dashboardUnfit(out: NodeJS.WritableStream & Partial<TerminalStream> & { isTTY?: boolean }): string | undefined {
  if (!out.isTTY || process.env.TERM === 'dumb') return 'needs a terminal';
  if ((out.columns ?? 0) < MIN_COLUMNS || (out.rows ?? 0) < MIN_ROWS) return `needs a terminal of at least ${MIN_COLUMNS}x${MIN_ROWS}`;
  return undefined;
}

export class Dashboard {
  private readonly screen: Screen;
  private readonly window: DashboardWindow;
  private lastDrawMs = -Infinity;

  constructor(
    out: TerminalStream,
    private readonly config: RunConfig,
    private readonly target: string,
  ) {
    this.screen = new Screen(out);
    this.window = new DashboardWindow(config);
  }

  start(): void {
    this.screen.enter();
    this.draw();
  }

  update(snapshot: RunSnapshot): void {
    this.window.add(snapshot);
    // Timers bunch up on a busy machine; never redraw more often than the period.
    const now = performance.now();
    if (now - this.lastDrawMs >= DASHBOARD_PERIOD_MS * 0.9) this.draw();
  }

  /** The run's final figures, drawn once (the last frame matches the report), then the terminal goes back. */
  finish(final: RunSnapshot): void {
    this.window.add(final);
    this.draw();
    this.close();
  }

  close(): void {
    this.screen.leave();
  }

  private draw(): void {
    this.lastDrawMs = performance.now();
    const info = { target: this.target, columns: this.screen.columns, rows: this.screen.rows, periodMs: DASHBOARD_PERIOD_MS };
    this.screen.draw(renderDashboard(this.window, this.config, info));
  }
}
