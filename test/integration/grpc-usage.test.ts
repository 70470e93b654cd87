// Bad gRPC command lines: a missing .proto, an unknown method, JSON that does not fit the message
// type, templates in a message: exit 2, one line naming the flag and the field, and no call sent
// (a live server behind the URL counts what reaches it).
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_BUILT, STACK_FRAME, runCli } from './run-cli.js';
import { CALL, IMPORT_PATH, PROTO, startRawGrpcServer } from './grpc-servers.js';

describe.skipIf(!CLI_BUILT)('ratetest grpc usage errors', () => {
  let server: Awaited<ReturnType<typeof startRawGrpcServer>>;
  let url = '';
  let dataFile = '';
  beforeAll(async () => {
    server = await startRawGrpcServer((stream) => stream.respond({ ':status': 200, 'grpc-status': '0' }, { endStream: true }));
    url = server.url;
    dataFile = join(mkdtempSync(join(tmpdir(), 'ratetest-grpc-usage-')), 'calls.jsonl');
    writeFileSync(dataFile, '{"text":"a"}\n\n{"text":"b","seq":"soon"}\n');
  });
  afterAll(() => server?.close());

  const say = (data: string) => [...CALL, '--data', data, '-R', '10'];
  // A message that names the server's URL or the data file is read once they exist.
  const cases: [string, () => string[], string | (() => string)][] = [
    ['a missing .proto', () => ['--proto', '/nonexistent/echo.proto', '--call', 'labecho.Echo/Say', '--data', '{}', '-R', '10', url], '--proto cannot read "/nonexistent/echo.proto": no such file'],
    ['an import not on any --import-path', () => ['--proto', PROTO, '--call', 'labecho.Echo/Say', '--data', '{}', '-R', '10', url], `--proto ${PROTO}: import "labecho/kinds.proto" is not in the file's folder or any --import-path`],
    ['an unknown method', () => ['--proto', PROTO, '--import-path', IMPORT_PATH, '--call', 'labecho.Echo/Shout', '--data', '{}', '-R', '10', url], '--call labecho.Echo/Shout: no method "Shout" in service labecho.Echo; it has: Say, Chat'],
    ['an unknown service', () => ['--proto', PROTO, '--import-path', IMPORT_PATH, '--call', 'labecho.Mirror/Say', '--data', '{}', '-R', '10', url], `--call labecho.Mirror/Say: no service "labecho.Mirror" in ${PROTO}; it has: labecho.Echo`],
    ['a streaming method', () => ['--proto', PROTO, '--import-path', IMPORT_PATH, '--call', 'labecho.Echo/Chat', '--data', '{}', '-R', '10', url], '--call labecho.Echo/Chat: Chat is bidirectional streaming; only unary methods are supported'],
    ['a field the message lacks', () => [...say('{"txt":"hi"}'), url], '--data: field "txt": no such field in labecho.SayRequest; it has: text, seq, kind, tags, inner, blob, delay_ms'],
    ['a number for a string', () => [...say('{"text":5}'), url], '--data: field "text": expected a string, got 5'],
    ['a nested field of the wrong type', () => [...say('{"inner":{"level":"high"}}'), url], '--data: field "inner.level": expected an integer (int32), got "high"'],
    ['an element of a repeated field', () => [...say('{"tags":["a",3]}'), url], '--data: field "tags[1]": expected a string, got 3'],
    ['an enum name the enum lacks', () => [...say('{"kind":"SOFT"}'), url], '--data: field "kind": expected one of PLAIN, LOUD (enum labecho.Kind), got "SOFT"'],
    ['an int32 out of range', () => [...say('{"inner":{"level":3000000000}}'), url], '--data: field "inner.level": 3000000000 is out of range for int32 (-2147483648 to 2147483647)'],
    ['JSON that is not an object', () => [...say('[1]'), url], '--data: the message (labecho.SayRequest): expected an object for labecho.SayRequest, got an array'],
    ['text that is not JSON', () => [...say('{text}'), url], "--data: not JSON: Expected property name or '}' in JSON at position 1"],
    ['a bad line of --data-file', () => [...CALL, '--data-file', dataFile, '-R', '10', url], () => `--data-file ${dataFile} line 3: field "seq": expected an integer (int64), got "soon"`],
    [
      'a template in a message',
      () => [...say('{"text":"{{seq}}"}'), url],
      '--data: {{...}} templates are not expanded in gRPC messages: a message is encoded once, before the run, and its length prefixes would change with each expansion; give the messages one per line in --data-file',
    ],
    ['no message', () => [...CALL, '-R', '10', url], "grpc needs one of --data '<json>' or --data-file <file.jsonl>"],
    ['a path in the URL', () => [...say('{}'), `${url}/labecho.Echo/Say`], () => `URL: give the server only (http://host:port); --call names the method, got "${url}/labecho.Echo/Say"`],
    ['a flag the call sets', () => [...say('{}'), '-m', 'GET', url], '--method does not apply to grpc: --call, --data and --data-file make each request'],
  ];

  it.each(cases)('%s: exit 2 and one line', async (_name, args, message) => {
    const run = await runCli(['grpc', ...args()]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`ratetest: ${typeof message === 'function' ? message() : message}\n`);
    expect(run.stderr).not.toMatch(STACK_FRAME);
    expect(run.stdout).toBe('');
    expect(server.calls()).toBe(0);
  });
});
