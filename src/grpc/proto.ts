// proto.ts: a .proto file's unary method, found from --call, and its request messages encoded
// from JSON into gRPC's length-prefixed frames. Runs once, before the run; every mistake is one
// UsageError naming the flag and the field. protobufjs loads with this module only (the grpc
// subcommand), so a plain run never pays for it.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import protobuf from 'protobufjs';
import { UsageError } from '../common/errors.js';
import { checkMessage } from './json-check.js';

export interface GrpcMethod {
  /** The HTTP/2 :path of the call, "/package.Service/Method". */
  path: string;
  /** The request message's type, e.g. "labecho.SayRequest". */
  requestType: string;
  type: protobuf.Type;
}

/**
 * Loads `file` and what it imports: each import is looked up in the importing file's folder,
 * then in `importPaths` in order (as protoc's -I); google/protobuf/*.proto come with protobufjs.
 */
export function loadProto(file: string, importPaths: string[]): protobuf.Root {
  if (!existsSync(file)) throw new UsageError(`--proto cannot read "${file}": no such file`);
  for (const dir of importPaths) if (!existsSync(dir)) throw new UsageError(`--import-path "${dir}": no such folder`);
  const root = new protobuf.Root();
  const missing: string[] = [];
  root.resolvePath = (origin, target) => {
    if (isAbsolute(target)) return target;
    const candidates = [...(origin ? [resolve(dirname(origin), target)] : [resolve(target)]), ...importPaths.map((dir) => resolve(dir, target))];
    const found = candidates.find((path) => existsSync(path));
    if (found === undefined) missing.push(target);
    return found ?? candidates[0]!;
  };
  try {
    root.loadSync(file, { keepCase: true });
    root.resolveAll();
  } catch (err) {
    if (missing.length > 0) throw new UsageError(`--proto ${file}: import "${missing[0]}" is not in the file's folder or any --import-path`);
    throw new UsageError(`--proto ${file}: ${oneLine((err as Error).message)}`);
  }
  return root;
}

const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' ');

/** "package.Service/Method" (or "package.Service.Method", as ghz takes it) → the unary method. */
export function findMethod(root: protobuf.Root, call: string, file: string): GrpcMethod {
  const match = /^\.?([\w.]+)[/.](\w+)$/.exec(call.trim());
  if (!match) throw new UsageError(`--call must look like package.Service/Method, got "${call}"`);
  const [, serviceName, methodName] = match as unknown as [string, string, string];
  const services = allServices(root);
  const service = services.find((s) => s.fullName === `.${serviceName}`);
  if (!service) {
    const known = services.map((s) => s.fullName.slice(1));
    throw new UsageError(`--call ${call}: no service "${serviceName}" in ${file}; ${known.length > 0 ? `it has: ${known.join(', ')}` : 'it defines no service'}`);
  }
  const method = service.methods[methodName];
  if (!method) throw new UsageError(`--call ${call}: no method "${methodName}" in service ${serviceName}; it has: ${Object.keys(service.methods).join(', ')}`);
  if (method.requestStream || method.responseStream) {
    const kind = method.requestStream && method.responseStream ? 'bidirectional' : method.requestStream ? 'client' : 'server';
    throw new UsageError(`--call ${call}: ${methodName} is ${kind} streaming; only unary methods are supported`);
  }
  method.resolve();
  const type = method.resolvedRequestType!;
  return { path: `/${serviceName}/${methodName}`, requestType: type.fullName.slice(1), type };
}

function allServices(ns: protobuf.NamespaceBase): protobuf.Service[] {
  const out: protobuf.Service[] = [];
  for (const nested of ns.nestedArray) {
    if (nested instanceof protobuf.Service) out.push(nested);
    if (nested instanceof protobuf.Namespace) out.push(...allServices(nested));
  }
  return out;
}

/**
 * One message from JSON text, as a gRPC frame: a zero compressed-flag byte, the length as 4
 * big-endian bytes, then the protobuf encoding. `where` names the source in messages.
 */
export function encodeMessage(method: GrpcMethod, json: string, where: string): Buffer {
  if (/\{\{.*?\}\}/s.test(json)) {
    throw new UsageError(
      `${where}: {{...}} templates are not expanded in gRPC messages: a message is encoded once, before the run, and its length prefixes would change with each expansion; give the messages one per line in --data-file`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (err) {
    throw new UsageError(`${where}: not JSON: ${(err as Error).message}`);
  }
  const message = checkMessage(method.type, value, where);
  const bytes = method.type.encode(method.type.fromObject(message)).finish();
  const frame = Buffer.alloc(5 + bytes.length);
  frame.writeUInt32BE(bytes.length, 1);
  frame.set(bytes, 5);
  return frame;
}

/** --data-file: one JSON message per line (blank lines skipped), each encoded as a frame. */
export function encodeDataFile(method: GrpcMethod, path: string): Buffer[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`--data-file cannot read "${path}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const frames: Buffer[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() !== '') frames.push(encodeMessage(method, line, `--data-file ${path} line ${i + 1}`));
  });
  if (frames.length === 0) throw new UsageError(`--data-file ${path} holds no messages: give one JSON message per line`);
  return frames;
}
