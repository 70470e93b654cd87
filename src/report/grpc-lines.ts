// grpc-lines.ts: the text report's gRPC lines. Pure: Result in, lines out.
import type { Result } from '../result/result.js';

export function grpcLines(result: Result): string[] {
  const grpc = result.grpc;
  if (!grpc) return [];
  const codes = Object.entries(grpc.status).map(([name, count]) => `${name} ${count}`);
  const lines = [`  gRPC status: ${codes.join(', ') || 'none'}`];
  if (grpc.httpErrors > 0) lines.push(`  gRPC calls without a grpc-status: ${grpc.httpErrors} (HTTP-level errors; see the status codes above)`);
  if (grpc.malformed > 0) lines.push(`  Malformed gRPC responses: ${grpc.malformed} (a grpc-status that is no number, or a message cut short)`);
  if (grpc.firstError) lines.push(`  First gRPC error: ${grpc.firstError.status}: ${grpc.firstError.message}`);
  return lines;
}
