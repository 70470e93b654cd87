// errors.ts: the errors ratetest raises on purpose. Each has a stable `code` callers can match,
// and the CLI maps codes to exit statuses in one place (exitCodeFor).

export type ErrorCode =
  | 'ERR_USAGE' // a flag, option or URL is invalid
  | 'ERR_RESOLVE' // the host name did not resolve
  | 'ERR_FD_LIMIT' // not enough file descriptors for the connections asked for
  | 'ERR_ADDON' // the native addon is missing or failed to start
  | 'ERR_HTTP2_VERSION' // --http2, and the nghttp2 inside Node is older than the addon was built for
  | 'ERR_SCRIPT' // a -s script could not be loaded, or failed in setup() or init()
  | 'ERR_RUN'; // the run failed after it started

export class RatetestError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'RatetestError';
    this.code = code;
  }
}

/** An invalid option: the CLI prints the message alone and exits 2. */
export class UsageError extends RatetestError {
  constructor(message: string) {
    super('ERR_USAGE', message);
    this.name = 'UsageError';
  }
}

export const EXIT_OK = 0;
export const EXIT_THRESHOLD = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERRUPTED = 130;

export function exitCodeFor(err: unknown): number {
  if (err instanceof RatetestError && (err.code === 'ERR_USAGE' || err.code === 'ERR_SCRIPT' || err.code === 'ERR_RESOLVE' || err.code === 'ERR_FD_LIMIT')) {
    return EXIT_USAGE;
  }
  return EXIT_THRESHOLD;
}
