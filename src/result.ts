// result.ts: the shape of a finished run, as the API returns it and every report reads it.
// Durations are nanoseconds unless the name says otherwise; rates are requests per second.
import type { Histogram } from 'hdr-histogram-js';
import type { MonitorSeries } from './monitor.js';

export interface ErrorCounts {
  connect: number;
  read: number;
  write: number;
  timeout: number;
  parse: number;
}

/** The settings a run actually used (after defaults and validation). */
export interface ResultConfig {
  url: string;
  method: string;
  /** Requested total rate, requests per second. */
  rate: number;
  threads: number;
  connections: number;
  durationNs: number;
  timeoutNs: number;
  /** Send window: a pump wakes at most once per this long (0 = per request). */
  batchNs: number;
}

export interface ThreadResult {
  completed: number;
  /** CPU time the pump thread used. */
  cpuNs: number;
  /** Responses completed in each whole second of the run. */
  perSecond: number[];
}

export interface Result {
  config: ResultConfig;
  /** Wall-clock time the schedule started, ISO 8601. */
  startedAt: string;
  /** Length of the measured run (the requested duration, or less when interrupted). */
  durationNs: number;
  /** Requests whose intended send time fell within the run. */
  scheduled: number;
  /** Requests written. */
  sent: number;
  /** Responses received completely. */
  completed: number;
  /** Scheduled but never written: the generator or its connections could not keep up. */
  notSent: number;
  /** Written but unanswered when the run ended (after waiting up to the timeout). */
  inFlight: number;
  /** Requests that were due while every connection was busy, and so waited for one. */
  queued: number;
  bytesRead: number;
  bytesWritten: number;
  errors: ErrorCounts;
  /** First OS error of each kind, as a code such as "ECONNREFUSED" (absent when none). */
  errorCodes: Partial<Record<keyof ErrorCounts, string>>;
  /** Responses by status code. */
  status: Record<number, number>;
  /** Responses whose status was not 2xx or 3xx (wrk2's "Non-2xx or 3xx responses"). */
  non2xx3xx: number;
  /** completed / duration, requests per second. */
  achievedRate: number;
  /** Histograms in nanoseconds: complete − intended send, complete − actual write, actual write − intended send. */
  corrected: Histogram;
  uncorrected: Histogram;
  sendLag: Histogram;
  threads: ThreadResult[];
  /** True when the run was stopped early (Ctrl-C or an AbortSignal). */
  interrupted: boolean;
  /** --monitor-pid: the watched process, sampled each second (absent without the flag). */
  monitor?: MonitorSeries;
}
