// url-display.ts: a run's URL as outputs others may see show it. A password in the URL is never
// written out: masked where a person reads it (HTML, .hlog), dropped where it becomes a label.
/** The URL with a password in it replaced by "***". */
export function maskUrl(text: string): string {
  try {
    const url = new URL(text);
    if (url.password === '') return text;
    url.password = '***';
    return url.toString();
  } catch {
    return text;
  }
}

/** The URL without user name or password (a Prometheus label). */
export function withoutCredentials(text: string): string {
  try {
    const url = new URL(text);
    url.username = '';
    url.password = '';
    return url.toString();
  } catch {
    return text;
  }
}
