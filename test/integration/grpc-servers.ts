// grpc-servers.ts: real gRPC servers for the grpc tests: @grpc/grpc-js serving the test's own
// labecho.proto (test/fixtures/grpc), and a raw node:http2 server that writes exact gRPC answers
// (trailers-only, HTTP-level errors, cut messages) no conforming server library would.
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as loader from '@grpc/proto-loader';

const fixture = (path: string) => fileURLToPath(new URL(`../fixtures/grpc/${path}`, import.meta.url));
export const PROTO = fixture('labecho.proto');
export const IMPORT_PATH = fixture('include');
/** The flags every test run gives: the .proto, its import path and the unary method. */
export const CALL = ['--proto', PROTO, '--import-path', IMPORT_PATH, '--call', 'labecho.Echo/Say'];

export interface SayRequest {
  text: string;
  seq: number;
  kind: string;
  tags: string[];
  delay_ms: number;
}

/** What a handler answers: a reply, or a status. */
export type Answer = { reply: { text: string; seq: number } } | { code: grpc.status; details: string };

export interface EchoServer {
  url: string;
  /** Every call's request as the server decoded it, with its metadata, in arrival order. */
  calls: { request: SayRequest; metadata: grpc.Metadata }[];
  close(): Promise<void>;
}

/** PEM files for a TLS server that asks for a client certificate signed by `ca`. */
export interface ServerTls {
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
}

/**
 * A grpc-js server whose Say answers as `answer` says (after the request's delay_ms, if any);
 * h2c, or with `tls` h2 over TLS with client certificates required.
 */
export async function startEchoServer(answer: (request: SayRequest, index: number) => Answer, tls?: ServerTls): Promise<EchoServer> {
  const definition = loader.loadSync(PROTO, { includeDirs: [IMPORT_PATH], keepCase: true, longs: Number, enums: String, defaults: true });
  const echo = (grpc.loadPackageDefinition(definition).labecho as grpc.GrpcObject).Echo as grpc.ServiceClientConstructor;
  const server = new grpc.Server();
  const calls: EchoServer['calls'] = [];
  server.addService(echo.service, {
    Say(call: grpc.ServerUnaryCall<SayRequest, unknown>, callback: grpc.sendUnaryData<unknown>) {
      const index = calls.length;
      calls.push({ request: call.request, metadata: call.metadata });
      const respond = () => {
        const a = answer(call.request, index);
        if ('reply' in a) callback(null, a.reply);
        else callback({ code: a.code, details: a.details });
      };
      if (call.request.delay_ms > 0) setTimeout(respond, call.request.delay_ms);
      else respond();
    },
    Chat(call: grpc.ServerDuplexStream<unknown, unknown>) {
      call.end();
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', tls ? grpc.ServerCredentials.createSsl(tls.ca, [{ cert_chain: tls.cert, private_key: tls.key }], true) : grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    calls,
    close: () => new Promise((resolve) => server.tryShutdown(() => resolve())),
  };
}

/** One length-prefixed message holding `bytes`. */
export function grpcFrame(bytes: Buffer): Buffer {
  const frame = Buffer.alloc(5 + bytes.length);
  frame.writeUInt32BE(bytes.length, 1);
  bytes.copy(frame, 5);
  return frame;
}

/** A raw h2c server: `respond(stream, index)` writes the index-th call's whole answer. */
export async function startRawGrpcServer(respond: (stream: http2.ServerHttp2Stream, index: number) => void): Promise<{ url: string; calls: () => number; close(): Promise<void> }> {
  const server = http2.createServer();
  let calls = 0;
  server.on('session', (session) => session.on('error', () => {}));
  server.on('stream', (stream) => {
    stream.on('error', () => {});
    const index = calls++;
    stream.resume();
    stream.on('end', () => respond(stream, index));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls: () => calls,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
