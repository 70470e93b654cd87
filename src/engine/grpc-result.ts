// grpc-result.ts: the native gRPC counters as the Result's `grpc` section. Pure: no I/O.
import type { NativeGrpc } from '../addon/native.js';
import type { GrpcResult } from '../result/result.js';

/** gRPC status codes by value (grpc/grpc doc/statuscodes.md); codes above 16 are counted as OTHER. */
export const GRPC_STATUS_NAMES = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
  'OTHER',
] as const;

/** grpc-message is percent-encoded on the wire; a malformed escape is shown as it came. */
function decodeMessage(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export function grpcResult(native: NativeGrpc): GrpcResult {
  const status: Record<string, number> = {};
  native.status.forEach((count, code) => {
    if (count > 0) status[GRPC_STATUS_NAMES[code] ?? 'OTHER'] = count;
  });
  const result: GrpcResult = { status, httpErrors: native.httpErrors, malformed: native.malformed };
  if (native.firstErrorCode !== undefined && native.firstErrorMessage !== undefined) {
    result.firstError = { status: GRPC_STATUS_NAMES[native.firstErrorCode] ?? 'OTHER', message: decodeMessage(native.firstErrorMessage) };
  }
  return result;
}
