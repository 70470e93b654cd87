// request-file.ts: reads --requests-file (YAML or JSON; JSON is read by the same YAML 1.2 parser,
// which knows where every value stands in the file) into RequestSpecs. Every message names the
// file, the line:column of the offending value and the accepted form.
//
//   requests:                      # or the list alone at the top level
//     - name: products             # required, unique
//       weight: 90                 # default 1
//       path: /products/{{rand 1 1000}}
//     - name: order
//       weight: 10
//       method: POST               # default GET, or POST with a body
//       path: /orders
//       headers: { Content-Type: application/json }   # or a list of "Name: value"
//       body: '{"sku": "{{pick "a" "b"}}"}'           # or bodyFile: order.json (next to this file)
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createRequire } from 'node:module';
import type { Node, YAMLMap } from 'yaml';
import { UsageError } from '../common/errors.js';
import type { RequestSpec } from '../config/request-spec.js';
import type { TemplateOrigin } from '../config/request-spec.js';

type At = (node: Node | null | undefined) => string;
type OriginOf = (node: Node) => TemplateOrigin;

const KEYS = ['name', 'weight', 'method', 'path', 'headers', 'body', 'bodyFile'];

export function readRequestFile(path: string): RequestSpec[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`--requests-file cannot read "${path}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parseRequestFile(text, path);
}

// The YAML parser loads with the first request file, not with every command line that might
// take one: it is a fifth of the CLI's start-up time.
let yamlModule: typeof import('yaml') | undefined;
const yaml = (): typeof import('yaml') => (yamlModule ??= createRequire(import.meta.url)('yaml') as typeof import('yaml'));

export function parseRequestFile(text: string, path: string): RequestSpec[] {
  const { LineCounter, parseDocument } = yaml();
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const at = (node: Node | null | undefined) => {
    const offset = node?.range?.[0] ?? 0;
    const pos = lines.linePos(offset);
    return `${path}:${pos.line}:${pos.col}`;
  };
  // Where a string value's first character stands, so template errors point into the file.
  const originOf: OriginOf = (node) => {
    const offset = node.range?.[0] ?? 0;
    const type = yaml().isScalar(node) ? node.type : undefined;
    if (type === 'BLOCK_LITERAL' || type === 'BLOCK_FOLDED') {
      const contentStart = text.indexOf('\n', offset) + 1;
      const indent = /^ */.exec(text.slice(contentStart))![0].length;
      return { path, line: lines.linePos(contentStart).line, column: indent + 1, indent };
    }
    const quoted = type === 'QUOTE_DOUBLE' || type === 'QUOTE_SINGLE';
    const pos = lines.linePos(offset + (quoted ? 1 : 0));
    return { path, line: pos.line, column: pos.col, indent: 0 };
  };
  const firstError = doc.errors[0];
  if (firstError) {
    const pos = lines.linePos(firstError.pos[0]);
    throw new UsageError(`${path}:${pos.line}:${pos.col}: not valid YAML or JSON: ${firstError.message.split('\n')[0]}`);
  }
  const schema = 'expected a list of requests, or an object with "requests:" holding one';
  let list: Node | null | undefined = doc.contents;
  if (yaml().isMap(list)) {
    const extra = list.items.find((pair) => !(yaml().isScalar(pair.key) && pair.key.value === 'requests'));
    if (extra) throw new UsageError(`${at(extra.key as Node)}: unknown key ${JSON.stringify(String((extra.key as { value?: unknown })?.value))}: ${schema}`);
    list = list.get('requests', true) as Node | undefined;
  }
  if (!yaml().isSeq(list) || list.items.length === 0) throw new UsageError(`${at(list)}: ${schema}`);
  return list.items.map((item, i) => specOf(item as Node, i, path, at, originOf));
}

function specOf(node: Node, index: number, path: string, at: At, originOf: OriginOf): RequestSpec {
  const label = `requests[${index}]`;
  if (!yaml().isMap(node)) throw new UsageError(`${at(node)}: ${label} must be an object with ${KEYS.join(', ')}`);
  const map = node as YAMLMap;
  for (const pair of map.items) {
    const key = yaml().isScalar(pair.key) ? String(pair.key.value) : '?';
    if (!KEYS.includes(key)) throw new UsageError(`${at(pair.key as Node)}: ${label}: unknown key "${key}"; expected ${KEYS.join(', ')}`);
  }
  const value = (key: string) => map.get(key, true) as Node | undefined;
  const string = (key: string): string | undefined => {
    const v = value(key);
    if (v === undefined) return undefined;
    if (!yaml().isScalar(v) || typeof v.value !== 'string') throw new UsageError(`${at(v)}: ${label}.${key} must be a string`);
    return v.value;
  };
  const name = string('name');
  if (name === undefined) throw new UsageError(`${at(node)}: ${label} needs a name, e.g. name: products`);
  const spec: RequestSpec = { name, where: `${at(node)} ${label}` };
  const weight = value('weight');
  if (weight !== undefined) {
    if (!yaml().isScalar(weight) || typeof weight.value !== 'number' || !(weight.value > 0)) {
      throw new UsageError(`${at(weight)}: ${label}.weight must be a number > 0, e.g. weight: 90`);
    }
    spec.weight = weight.value;
  }
  const method = string('method');
  if (method !== undefined) spec.method = method;
  const requestPath = string('path');
  if (requestPath !== undefined) {
    spec.path = requestPath;
    spec.origins = { path: originOf(value('path')!) };
  }
  const headers = value('headers');
  if (headers !== undefined) {
    const origins: Record<string, TemplateOrigin> = {};
    spec.headers = headerList(headers, `${label}.headers`, at, (name, valueNode) => (origins[name] = originOf(valueNode)));
    spec.origins = { ...spec.origins, headers: origins };
  }
  const body = string('body');
  const bodyFile = string('bodyFile');
  if (body !== undefined && bodyFile !== undefined) throw new UsageError(`${at(node)}: ${label}: give body or bodyFile, not both`);
  if (body !== undefined) {
    spec.body = body;
    spec.origins = { ...spec.origins, body: originOf(value('body')!) };
  }
  if (bodyFile !== undefined) {
    const file = resolve(dirname(path), bodyFile);
    try {
      spec.body = readFileSync(file);
    } catch (err) {
      throw new UsageError(`${at(value('bodyFile'))}: ${label}.bodyFile cannot read "${file}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    spec.origins = { ...spec.origins, body: { path: file, line: 1, column: 1, indent: 0 } };
  }
  return spec;
}

/** headers: { Name: value } or [ "Name: value" ]. */
function headerList(node: Node, label: string, at: At, noteOrigin: (name: string, value: Node) => void): string[] {
  const scalarText = (v: unknown) => (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined);
  if (yaml().isMap(node)) {
    return node.items.map((pair) => {
      const name = yaml().isScalar(pair.key) ? scalarText(pair.key.value) : undefined;
      const value = yaml().isScalar(pair.value) ? scalarText(pair.value.value) : undefined;
      if (name === undefined || value === undefined) throw new UsageError(`${at(pair.key as Node)}: ${label}: each header must be Name: value`);
      noteOrigin(name, pair.value as Node);
      return `${name}: ${value}`;
    });
  }
  if (yaml().isSeq(node)) {
    return node.items.map((item) => {
      const text = yaml().isScalar(item) ? item.value : undefined;
      if (typeof text !== 'string') throw new UsageError(`${at(item as Node)}: ${label}: each header must be a "Name: value" string`);
      return text;
    });
  }
  throw new UsageError(`${at(node)}: ${label} must be a map of Name: value or a list of "Name: value"`);
}
