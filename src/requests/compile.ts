// compile.ts: turns the run's request(s) into the program the native pump expands per request
// (native/template_program.h): literal byte runs and slots, pick choices and CSV cells packed
// into one pool, and the weighted mix. Runs once, before the run; every mistake is a UsageError.
// A run with no placeholders and no request list compiles to nothing: the pump sends the one
// request's bytes as they are, with no expansion cost.
import { UsageError } from '../common/errors.js';
import type { NativeTemplates } from '../addon/native.js';
import type { RequestSpec } from '../config/request-spec.js';
import { headerFields, needsContentLength, type RunConfig, type RunOptions } from '../config/options.js';
import { packCsv, readCsv, type CsvData } from './csv.js';
import { weightedMix } from './mix.js';
import { hasPlaceholders, parseTemplate, templateError, type TemplateContext, type TemplatePart } from './template.js';

/** The compiled program and what the report needs to name its parts. */
export interface RequestProgram {
  native: NativeTemplates;
  /** Request names with statistics of their own, by native name index; empty for a single request. */
  names: string[];
  /** Their weights, as given. */
  weights: number[];
  /** The URL as typed when its path holds placeholders (new URL() would show them percent-encoded). */
  templatedUrl?: string;
}

// Must match native/template_program.h TemplateOp.
const OP = { literal: 0, seq: 1, rand: 2, uuid: 3, pick: 4, now: 5, nowMs: 6, csv: 7 } as const;

/** Most requests in one list: each has its own histogram (270 KB) in every pump thread. */
export const MAX_REQUEST_SPECS = 100;

/** {{seq}} counts from 1: request k of the run (k = 0, 1, ...) shows k + 1. */
const SEQ_BASE = 1;

type Section = 'target' | 'header' | 'body';

/** Builds the pool and the steps; literal runs that meet are merged into one step. */
class ProgramBuilder {
  private readonly pool: Buffer[] = [];
  private poolLength = 0;
  readonly steps: number[] = [];
  readonly choices: number[] = [];
  private mergeable = false;

  constructor(private readonly csv: CsvData | undefined) {}

  poolBuffer(): Buffer {
    return Buffer.concat(this.pool, this.poolLength);
  }

  stepCount(): number {
    return this.steps.length / 4;
  }

  /** Starts a new run of steps (a request's head or body): nothing merges across it. */
  startSection(): number {
    this.mergeable = false;
    return this.stepCount();
  }

  private store(bytes: Buffer): number {
    const offset = this.poolLength;
    this.pool.push(bytes);
    this.poolLength += bytes.length;
    return offset;
  }

  literal(bytes: Buffer): void {
    if (bytes.length === 0) return;
    if (this.mergeable) {
      this.store(bytes);
      this.steps[this.steps.length - 1]! += bytes.length;
      return;
    }
    this.steps.push(OP.literal, 0, this.store(bytes), bytes.length);
    this.mergeable = true;
  }

  private slot(op: number, a: number, b: number, pathEscape = false): void {
    this.steps.push(op, pathEscape ? 1 : 0, a, b);
    this.mergeable = false;
  }

  /**
   * A body from a list of bodies: the list is a table of one column (see compileRequests), read
   * as a CSV column is, so the pump picks row k mod n, or a random row, with no new mechanism.
   */
  bodyFromList(): void {
    this.slot(OP.csv, 0, 0);
  }

  /** Emits a parsed template into the current section. */
  parts(parts: TemplatePart[], section: Section, context: TemplateContext): void {
    for (const part of parts) {
      switch (part.kind) {
        case 'text':
          this.literal(fitText(part.text, section, context));
          break;
        case 'seq':
          this.slot(OP.seq, SEQ_BASE, 0);
          break;
        case 'rand':
          this.slot(OP.rand, part.low, part.high - part.low);
          break;
        case 'uuid':
          this.slot(OP.uuid, 0, 0);
          break;
        case 'now':
          this.slot(OP.now, 0, 0);
          break;
        case 'nowMs':
          this.slot(OP.nowMs, 0, 0);
          break;
        case 'pick': {
          const first = this.choices.length / 2;
          for (const choice of part.choices) {
            const bytes = fitText(choice, section, context);
            this.choices.push(this.store(bytes), bytes.length);
          }
          this.slot(OP.pick, first, part.choices.length);
          break;
        }
        case 'csv':
          this.slot(OP.csv, this.csvColumn(part, section, context), 0, section === 'target');
          break;
      }
    }
  }

  private csvColumn(part: Extract<TemplatePart, { kind: 'csv' }>, section: Section, context: TemplateContext): number {
    const csv = this.csv;
    if (!csv) throw templateError(context, part.at, `{{csv.${part.column}}} needs a CSV file: give one with --csv <file>`);
    const index = csv.columns.indexOf(part.column);
    if (index < 0) {
      throw templateError(context, part.at, `column "${part.column}" is not in ${csv.path}; expected one of: ${csv.columns.join(', ')}`);
    }
    if (section !== 'body') {
      const row = csv.rows.findIndex((r) => /[\r\n\0]/.test(r[index]!));
      if (row >= 0) {
        throw templateError(context, part.at, `column "${part.column}" of ${csv.path} holds a line break or NUL in data row ${row + 1}, which a ${section === 'target' ? 'request target' : 'header value'} cannot`);
      }
    }
    return index;
  }
}

/** Bytes that cannot stand in a request target as they are (as native/template_source.cc). */
const PATH_ESCAPE = (byte: number) => byte <= 0x20 || byte >= 0x7f || '"#<>`{}'.includes(String.fromCharCode(byte));

/** Fixed text for its place: percent-encoded in the target, checked in a header, as it is in a body. */
function fitText(text: string, section: Section, context: TemplateContext): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  if (section === 'header' && /[\r\n\0]/.test(text)) {
    throw new UsageError(`${context.where}: a header value cannot hold a line break or NUL, got ${JSON.stringify(text)}`);
  }
  if (section !== 'target' || !bytes.some(PATH_ESCAPE)) return bytes;
  let out = '';
  for (const byte of bytes) out += PATH_ESCAPE(byte) ? `%${byte.toString(16).toUpperCase().padStart(2, '0')}` : String.fromCharCode(byte);
  return Buffer.from(out, 'latin1');
}

/** The path and query exactly as typed in the URL (new URL() would percent-encode the braces). */
export function rawTarget(urlText: string): { target: string; columnOffset: number } {
  const authority = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(urlText);
  if (!authority) throw new UsageError(`URL must look like http://host[:port]/path, got "${urlText}"`);
  if (authority[0].includes('{{')) {
    throw new UsageError(`URL: placeholders may stand in the path and query only, not in "${authority[0]}"`);
  }
  let target = urlText.slice(authority[0].length);
  const hash = target.indexOf('#');
  if (hash >= 0) target = target.slice(0, hash);
  // columnOffset: the URL's column of the target's first character, minus one.
  if (target === '' || target.startsWith('?')) return { target: `/${target}`, columnOffset: authority[0].length - 1 };
  return { target, columnOffset: authority[0].length };
}

interface OneRequest {
  name: string;
  weight: number;
  method: string;
  target: string;
  targetContext: TemplateContext;
  headers: string[];
  headerContext: (name: string) => TemplateContext;
  body: Buffer;
  bodyContext: TemplateContext;
}

function usesTemplates(config: RunConfig, options: RunOptions): boolean {
  if (options.requests !== undefined || options.csvFile !== undefined || options.bodies !== undefined) return true;
  return hasPlaceholders(options.url) || config.headers.some(hasPlaceholders) || config.body.includes('{{');
}

/** The run's own request, as the URL, -m, -H and -b give it. */
function singleRequest(config: RunConfig, options: RunOptions, env: NodeJS.ProcessEnv): OneRequest {
  const { target, columnOffset } = rawTarget(options.url);
  return {
    name: `${config.method} ${target}`,
    weight: 1,
    method: config.method,
    target,
    targetContext: { where: 'URL', env, columnOffset },
    headers: config.headers,
    headerContext: (name) => ({ where: `--header "${name}"`, env }),
    body: config.body,
    bodyContext: { where: Buffer.isBuffer(options.body) ? '--body-file' : '--body', env },
  };
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** A request file's entry, merged with the run's headers and checked. */
function specRequest(spec: RequestSpec, index: number, config: RunConfig, options: RunOptions, env: NodeJS.ProcessEnv): OneRequest {
  const where = spec.where ?? `requests[${index}]`;
  if (typeof spec.name !== 'string' || spec.name.trim() === '') throw new UsageError(`${where}: name must be a non-empty string`);
  const weight = spec.weight ?? 1;
  if (typeof weight !== 'number' || !Number.isFinite(weight) || weight <= 0) {
    throw new UsageError(`${where}: weight must be a number > 0, got ${JSON.stringify(spec.weight)}`);
  }
  const body = spec.body === undefined ? Buffer.alloc(0) : Buffer.from(spec.body);
  const method = (spec.method ?? (spec.body !== undefined ? 'POST' : 'GET')).toUpperCase();
  if (!TOKEN.test(method)) throw new UsageError(`${where}: method must be an HTTP method like GET or POST, got "${spec.method}"`);
  const path = spec.path ?? rawTarget(options.url).target;
  if (!path.startsWith('/')) throw new UsageError(`${where}.path must start with "/", got "${path}"`);
  const own = spec.headers ?? [];
  for (const header of own) {
    const colon = header.indexOf(':');
    if (colon <= 0 || !TOKEN.test(header.slice(0, colon).trim()) || /[\r\n\0]/.test(header)) {
      throw new UsageError(`${where}.headers: each must look like "Name: value", got "${header}"`);
    }
  }
  const nameOf = (h: string) => h.slice(0, h.indexOf(':')).trim().toLowerCase();
  const replaced = new Set(own.map(nameOf));
  return {
    name: spec.name,
    weight,
    method,
    target: path,
    // With a file position, the file names the place and the label only which field it is.
    targetContext: spec.origins?.path ? { where: `requests[${index}].path`, env, file: spec.origins.path } : { where: `${where}.path`, env },
    headers: [...config.headers.filter((h) => !replaced.has(nameOf(h))), ...own],
    headerContext: (name) => {
      if (!replaced.has(name.toLowerCase())) return { where: `--header "${name}"`, env }; // the run's own -H
      const file = spec.origins?.headers?.[name];
      return file ? { where: `requests[${index}].headers "${name}"`, env, file } : { where: `${where}.headers "${name}"`, env };
    },
    body,
    bodyContext: spec.origins?.body ? { where: `requests[${index}].body`, env, file: spec.origins.body } : { where: `${where}.body`, env },
  };
}

interface CompiledRequest {
  headFirst: number;
  headCount: number;
  bodyFirst: number;
  bodyCount: number;
  hasBody: boolean;
  headResponse: boolean;
}

function compileOne(request: OneRequest, config: RunConfig, builder: ProgramBuilder, env: NodeJS.ProcessEnv, bodyList = false): CompiledRequest {
  const parts = { url: config.url, method: request.method, headers: request.headers, body: request.body };
  const templatedBody = request.body.includes('{{');
  const hasBody = needsContentLength(parts, bodyList || request.body.length > 0);
  if (templatedBody && !hasBody && request.body.length > 0) {
    throw new UsageError(`${request.headerContext('Content-Length').where}: a templated body gets its Content-Length per request; remove this header`);
  }

  const headFirst = builder.startSection();
  builder.literal(Buffer.from(`${request.method} `, 'utf8'));
  builder.parts(parseTemplate(request.target, request.targetContext), 'target', request.targetContext);
  builder.literal(Buffer.from(' HTTP/1.1\r\n', 'utf8'));
  for (const field of headerFields(parts)) {
    builder.literal(Buffer.from(`${field.name}: `, 'utf8'));
    const context = request.headerContext(field.name);
    if (field.fromUser) builder.parts(parseTemplate(field.value, context), 'header', context);
    else builder.literal(Buffer.from(field.value, 'utf8'));
    builder.literal(Buffer.from('\r\n', 'utf8'));
  }
  const headCount = builder.stepCount() - headFirst;

  const bodyFirst = builder.startSection();
  if (bodyList) {
    builder.bodyFromList();
  } else if (templatedBody) {
    const context = request.bodyContext;
    builder.parts(parseTemplate(request.body.toString('utf8'), context), 'body', context);
  } else {
    builder.literal(request.body); // as given, byte for byte (it may not be text at all)
  }
  const bodyCount = builder.stepCount() - bodyFirst;
  return { headFirst, headCount, bodyFirst, bodyCount, hasBody, headResponse: request.method === 'HEAD' };
}

/**
 * The request program for a run, or undefined when the run sends one fixed request (no
 * placeholders, no request list, no CSV): the pump then sends config.request as it is.
 */
export function compileRequests(config: RunConfig, options: RunOptions, env: NodeJS.ProcessEnv = process.env): RequestProgram | undefined {
  if (!usesTemplates(config, options)) return undefined;
  const list = options.bodies;
  const csv = options.csvFile === undefined ? undefined : readCsv(options.csvFile);
  const specs = options.requests;
  if (specs !== undefined && specs.length === 0) throw new UsageError('the request list is empty: give at least one request');
  if (specs !== undefined && specs.length > MAX_REQUEST_SPECS) throw new UsageError(`the request list holds ${specs.length} requests; at most ${MAX_REQUEST_SPECS} are allowed`);
  const requests = specs === undefined ? [singleRequest(config, options, env)] : specs.map((s, i) => specRequest(s, i, config, options, env));
  const seen = new Set<string>();
  for (const r of requests) {
    if (seen.has(r.name)) throw new UsageError(`request name "${r.name}" is used twice; each request needs its own name`);
    seen.add(r.name);
  }
  const builder = new ProgramBuilder(csv);
  const compiled = requests.map((r) => compileOne(r, config, builder, env, list !== undefined));
  if (csv && !builder.steps.some((v, i) => i % 4 === 0 && v === OP.csv)) {
    throw new UsageError(`--csv ${csv.path} is given but no template reads it: use {{csv.column}} with one of: ${csv.columns.join(', ')}`);
  }
  const weights = requests.map((r) => r.weight);
  const native: NativeTemplates = {
    pool: builder.poolBuffer(),
    steps: Float64Array.from(builder.steps),
    choices: Float64Array.from(builder.choices),
    requests: compiled,
    mix: Float64Array.from(weightedMix(weights)),
    seed: config.templateSeed,
    named: specs !== undefined,
  };
  if (csv) native.csv = { ...packCsv(csv), columns: csv.columns.length, random: options.csvOrder === 'random' };
  if (list) native.csv = { ...packCsv({ rows: list.bodies.map((body) => [body]) }), columns: 1, random: list.random };
  const program: RequestProgram = { native, names: specs === undefined ? [] : requests.map((r) => r.name), weights };
  if (hasPlaceholders(options.url)) program.templatedUrl = options.url;
  return program;
}
