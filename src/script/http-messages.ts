// http-messages.ts: the little HTTP/1.1 framing the script layer needs on the JavaScript side:
// cutting a string of pipelined requests (wrk's pipeline.lua returns three at once) into single
// requests, and splitting a tapped raw response into status, headers and body for response().
// The pump's own parser (native/response.cc) has already framed and validated each response.

const CRLF2 = Buffer.from('\r\n\r\n');

function contentLength(head: string): number {
  const match = /\r\ncontent-length:[ \t]*(\d+)/i.exec(head);
  return match ? Number(match[1]) : 0;
}

/** The byte lengths of the requests in `bytes`, back to back; null when it is not whole requests. */
export function splitRequests(bytes: Buffer): number[] | null {
  const lengths: number[] = [];
  let at = 0;
  while (at < bytes.length) {
    const end = bytes.indexOf(CRLF2, at);
    if (end < 0) return null;
    const head = bytes.toString('latin1', at, end);
    if (!/^[A-Za-z]+ \S+ HTTP\/1\.[01]/.test(head)) return null;
    const length = end + 4 + contentLength(head) - at;
    if (at + length > bytes.length) return null;
    lengths.push(length);
    at += length;
  }
  return lengths.length > 0 ? lengths : null;
}

/** Headers and body of a raw response (chunked bodies are de-chunked, as wrk hands them over). */
export function splitResponse(raw: Buffer): { headers: [string, string][]; body: Buffer } {
  const end = raw.indexOf(CRLF2);
  if (end < 0) return { headers: [], body: Buffer.alloc(0) };
  const lines = raw.toString('latin1', 0, end).split('\r\n').slice(1);
  const headers: [string, string][] = [];
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.push([line.slice(0, colon), line.slice(colon + 1).trim()]);
  }
  let body = raw.subarray(end + 4);
  if (headers.some(([name, value]) => name.toLowerCase() === 'transfer-encoding' && /chunked/i.test(value))) body = dechunk(body);
  return { headers, body };
}

function dechunk(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', at);
    if (lineEnd < 0) break;
    const size = parseInt(data.toString('latin1', at, lineEnd), 16);
    if (!(size > 0)) break;
    parts.push(data.subarray(lineEnd + 2, Math.min(data.length, lineEnd + 2 + size)));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}
