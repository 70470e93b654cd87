// grpc.ts: `ratetest grpc --proto echo.proto --call pkg.Service/Method --data '{...}' -R 5k URL`:
// unary gRPC calls at a fixed rate. The run's flags (shared with a plain run), plus the call's
// own; the messages are encoded once here, then the run is a plain HTTP/2 run whose responses
// the pumps read as gRPC calls (native/grpc_response.h).
import { CommanderError, Option, type Argument } from 'commander';
import { EXIT_OK, EXIT_USAGE, UsageError } from '../common/errors.js';
import { parseDuration, parseRate } from '../common/units.js';
import { DEFAULTS } from '../config/options.js';
import { buildProgram, requestFromFlags, usageMessage, type CliRequest, type RawFlags } from './flags.js';
import { fail } from './fail.js';

interface GrpcFlags extends RawFlags {
  proto?: string;
  importPath?: string[];
  call?: string;
  data?: string;
  dataFile?: string;
  deadline?: string;
}

/** Flags of a plain run that the call sets itself: its method, path, body and protocol. */
const SET_BY_CALL: Record<string, string> = {
  method: '--method',
  body: '--body',
  bodyFile: '--body-file',
  requestsFile: '--requests-file',
  csv: '--csv',
  csvOrder: '--csv-order',
  script: '--script',
  http2: '--http2',
  pipeline: '--pipeline',
};

/** --streams unless given: calls in flight per connection at most (the server's limit lowers it). */
export const GRPC_STREAMS = 100;

/** grpc-timeout units, finest first (grpc/grpc doc/PROTOCOL-HTTP2.md: at most 8 digits). */
const TIMEOUT_UNITS: [unit: string, ns: number][] = [['n', 1], ['u', 1e3], ['m', 1e6], ['S', 1e9], ['M', 60e9], ['H', 3600e9]];

/** A deadline in nanoseconds as a grpc-timeout value: the finest unit that fits, rounded up. */
export function grpcTimeout(ns: number): string {
  for (const [unit, size] of TIMEOUT_UNITS) {
    const count = Math.ceil(ns / size);
    if (count <= 99_999_999) return `${count}${unit}`;
  }
  return '99999999H';
}

export async function parseGrpcArgs(argv: string[]): Promise<CliRequest> {
  const program = buildProgram()
    .name('ratetest grpc')
    .description('Unary gRPC calls at a constant rate, latency measured from when each call should have been sent; calls counted by grpc-status.')
    .addOption(new Option('--proto <file>', 'the .proto file that defines the service (required)'))
    .addOption(new Option('--import-path <dir>', 'where the .proto file\'s imports are looked for, after its own folder (repeatable)').argParser((v: string, prev: string[] = []) => [...prev, v]))
    .addOption(new Option('--call <method>', 'the unary method, package.Service/Method (required)'))
    .addOption(new Option('--data <json>', 'the request message as JSON, encoded once before the run'))
    .addOption(new Option('--data-file <file>', 'one JSON message per line, sent in order and then again (at random with --seed)'))
    .addOption(new Option('--deadline <duration>', 'sent as grpc-timeout with every call, e.g. 100ms; the server ends a call that runs past it'));
  // The URL names the server only, and no script takes arguments after it.
  const args = program.registeredArguments as Argument[];
  args[0]!.description = 'the server, http://host:port (h2c) or https://host:port (h2)';
  args.splice(1);
  program.options.find((o) => o.long === '--header')!.description = 'add gRPC metadata "name: value" (repeatable)';
  program.options.find((o) => o.long === '--streams')!.description = `calls in flight per connection at most; the server's limit lowers it (default ${GRPC_STREAMS})`;
  for (const option of program.options) if (Object.hasOwn(SET_BY_CALL, option.attributeName())) option.hideHelp();
  program.parse(argv);
  const flags = program.opts<GrpcFlags>();
  for (const [name, flag] of Object.entries(SET_BY_CALL)) {
    if (flags[name as keyof GrpcFlags] !== undefined) throw new UsageError(`${flag} does not apply to grpc: --call, --data and --data-file make each request`);
  }
  if (program.args.length > 1) throw new UsageError(`unexpected argument "${program.args[1]}" after the URL`);
  if (flags.rate === undefined && flags.stages === undefined) throw new UsageError('-R/--rate is required: calls per second, e.g. -R 2000, -R 5k or -R max (or give --stages)');
  if (flags.proto === undefined) throw new UsageError('grpc needs --proto <file>: the .proto file that defines the service');
  if (flags.call === undefined) throw new UsageError('grpc needs --call <package.Service/Method>');
  if ((flags.data === undefined) === (flags.dataFile === undefined)) throw new UsageError('grpc needs one of --data \'<json>\' or --data-file <file.jsonl>');
  const base = new URL(checkedUrl(program.args[0]!));
  const deadlineNs = flags.deadline === undefined ? undefined : parseDuration(flags.deadline, '--deadline');
  if (deadlineNs !== undefined && deadlineNs <= 0) throw new UsageError(`--deadline must be > 0, got "${flags.deadline}"`);

  // protobufjs loads here, for this subcommand only.
  const { loadProto, findMethod, encodeMessage, encodeDataFile } = await import('../grpc/proto.js');
  const method = findMethod(loadProto(flags.proto, flags.importPath ?? []), flags.call, flags.proto);
  const bodies = flags.data !== undefined ? [encodeMessage(method, flags.data, '--data')] : encodeDataFile(method, flags.dataFile!);
  const headers = ['Content-Type: application/grpc', 'TE: trailers', ...(deadlineNs !== undefined ? [`grpc-timeout: ${grpcTimeout(deadlineNs)}`] : []), ...(flags.header ?? [])];
  const rate = flags.rate === undefined ? undefined : flags.rate.trim() === 'max' ? 'max' : parseRate(flags.rate, '--rate');
  const request = requestFromFlags(`${base.origin}${method.path}`, { ...flags, header: headers }, rate);
  // Even one message goes as a list: its bytes are binary and must never be read as a template.
  request.options.bodies = { source: flags.dataFile !== undefined ? `--data-file ${flags.dataFile}` : '--data', bodies, random: flags.dataFile !== undefined && flags.seed !== undefined };
  request.options.http2 = true;
  // gRPC clients multiplex calls on a connection (grpc-go, grpc-js); one stream per connection
  // would make -c connections the limit on calls in flight.
  if (flags.streams === undefined) request.options.streams = GRPC_STREAMS;
  request.options.grpc = true;
  // A call the server ends at its deadline must not first time out here and cost the connection.
  if (deadlineNs !== undefined && flags.timeout === undefined) request.options.timeoutMs = Math.max(DEFAULTS.timeoutMs, deadlineNs / 1e6 + 1000);
  return request;
}

/** The URL names the server only: --call gives the path. */
function checkedUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`URL must look like http://host:port (h2c) or https://host:port (h2), got "${text}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`URL must look like http://host:port (h2c) or https://host:port (h2), got "${text}"`);
  if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '') throw new UsageError(`URL: give the server only (http://host:port); --call names the method, got "${text}"`);
  return text;
}

export async function grpcMain(argv: string[]): Promise<number> {
  let request: CliRequest;
  try {
    request = await parseGrpcArgs(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return EXIT_OK;
      process.stderr.write(`ratetest grpc: ${usageMessage(err)} (see ratetest grpc --help)\n`);
      return EXIT_USAGE;
    }
    return fail(err);
  }
  return (await import('./run-command.js')).runCommand(request);
}
