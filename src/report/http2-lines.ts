// http2-lines.ts: the text report's HTTP/2 lines. Pure: Result in, lines out.
import type { Result } from '../result/result.js';

export function http2Lines(result: Result): string[] {
  const h2 = result.http2;
  if (!h2) return [];
  const lines = [`  Protocol: HTTP/2 (${result.protocol === 'h2' ? 'h2' : 'h2c'})`];
  const capped = h2.cappedTo !== undefined ? ` (the server allows ${h2.cappedTo} of --streams ${h2.streams})` : '';
  lines.push(`  Streams in flight per connection: p50 ${h2.streamsInFlight.p50}, max ${h2.streamsInFlight.max}${capped}`);
  const resets = Object.entries(h2.resets).map(([code, count]) => `${code} ${count}`);
  if (h2.goaways > 0) lines.push(`  GOAWAYs: ${h2.goaways} (connections replaced; ${h2.resent} streams sent again)`);
  if (resets.length > 0) lines.push(`  RST_STREAMs: ${resets.join(', ')}`);
  if (h2.stalledWindows > 0) lines.push(`  Stalled windows: ${h2.stalledWindows} (request bodies waited on the server's flow-control window)`);
  if (h2.protocolErrors > 0) lines.push(`  HTTP/2 protocol errors: ${h2.protocolErrors}`);
  if (h2.droppedHeaders.length > 0) lines.push(`  Note: HTTP/2 forbids connection-specific headers; left out: ${h2.droppedHeaders.join(', ')}`);
  return lines;
}
