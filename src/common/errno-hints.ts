// errno-hints.ts: what an OS error code means for a load test, and what to do about it. One
// table, used by the text report and the self-check.

const HINTS: Record<string, string> = {
  ECONNREFUSED: 'nothing is listening at that address and port',
  EADDRNOTAVAIL: 'no free local port: the ephemeral port range is exhausted; lower -c, widen net.ipv4.ip_local_port_range, or let TIME_WAIT ports be reused (net.ipv4.tcp_tw_reuse=1)',
  EMFILE: 'the process file descriptor limit is reached; raise it with ulimit -n',
  ENFILE: 'the system-wide file limit is reached (fs.file-max)',
  ETIMEDOUT: 'the connection attempt timed out: the server or its listen backlog may be overloaded',
  ECONNRESET: 'the server reset the connection (a full listen backlog, a crash, or a limit on connections)',
  EPIPE: 'the server closed the connection while the request was being written',
  EHOSTUNREACH: 'no route to the host',
  ENETUNREACH: 'the network is unreachable',
};

/** "EADDRNOTAVAIL (no free local port: ...)", or the code alone when there is nothing to add. */
export function explainErrno(code: string): string {
  const hint = HINTS[code];
  return hint ? `${code} (${hint})` : code;
}
