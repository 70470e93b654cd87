// template.ts: the template language of paths, header values and bodies. Parses a template once,
// before the run, into literal text and slots; a mistake is one UsageError naming where (the flag
// or file), the line:column in the template and what was expected. Expansion is native.
//
//   'GET /products/{{rand 1 1000}}?sku={{pick "a" "b"}}'
//     -> [text "GET /products/"] [rand 1..1000] [text "?sku="] [pick a|b]
import type { TemplateOrigin } from '../config/request-spec.js';
import { UsageError } from '../common/errors.js';

/** One piece of a parsed template. `at` is where its placeholder starts, for later errors (CSV columns). */
export type TemplatePart =
  | { kind: 'text'; text: string }
  | { kind: 'seq' }
  | { kind: 'rand'; low: number; high: number }
  | { kind: 'uuid' }
  | { kind: 'pick'; choices: string[] }
  | { kind: 'now' }
  | { kind: 'nowMs' }
  | { kind: 'csv'; column: string; at: Position };

export interface Position {
  line: number;
  column: number;
}

/** The placeholders, as the error for an unknown one lists them. */
export const PLACEHOLDERS = 'seq, rand <low> <high>, uuid, pick "a" "b" ..., now, now_ms, csv.<column>, csv "<column>", env "<NAME>" or a "quoted string"';

/** Largest magnitude for rand bounds: integers stay exact in a double and in the native int64. */
const MAX_RAND = Number.MAX_SAFE_INTEGER;

type Token = { kind: 'word'; text: string; at: Position } | { kind: 'string'; text: string; at: Position } | { kind: 'number'; value: number; text: string; at: Position };

/** Where a template came from and how to resolve what is fixed for the whole run. */
export interface TemplateContext {
  /** Names the template in errors: "--body", "--header \"X-Id\"", "reqs.yaml: requests[1].path". */
  where: string;
  /** Environment for {{env "NAME"}}, read once here. */
  env: NodeJS.ProcessEnv;
  /** Added to columns on the first line: where the template starts within what the user typed (the URL). */
  columnOffset?: number;
  /** The template is a value in this file, its first character at line:column (a request file). */
  file?: TemplateOrigin;
}


/** "--body 1:12: message", or for a file "reqs.yaml:7:20: requests[1].body: message". */
export function templateError(context: TemplateContext, at: Position, message: string): UsageError {
  const file = context.file;
  if (file) {
    const line = file.line + at.line - 1;
    const column = at.line === 1 ? file.column + at.column - 1 : file.indent + at.column;
    return new UsageError(`${file.path}:${line}:${column}: ${context.where}: ${message}`);
  }
  const column = at.line === 1 ? at.column + (context.columnOffset ?? 0) : at.column;
  return new UsageError(`${context.where} ${at.line}:${column}: ${message}`);
}

/** True when the text holds a placeholder at all (else it is sent as it is, by the static path). */
export function hasPlaceholders(text: string): boolean {
  return text.includes('{{');
}

/** Parses a template into parts; adjacent text is merged, {{env}} and quoted strings become text. */
export function parseTemplate(text: string, context: TemplateContext): TemplatePart[] {
  const parts: TemplatePart[] = [];
  const pushText = (t: string) => {
    if (t === '') return;
    const last = parts[parts.length - 1];
    if (last?.kind === 'text') last.text += t;
    else parts.push({ kind: 'text', text: t });
  };
  const position = positions(text);
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf('{{', i);
    if (open < 0) {
      pushText(text.slice(i));
      break;
    }
    // A run of braces "{{{" is a literal "{" followed by a placeholder: JSON bodies open objects.
    let start = open;
    while (text[start + 2] === '{') start++;
    pushText(text.slice(i, start));
    const close = findClose(text, start + 2);
    if (close < 0) {
      throw templateError(context, position(start), 'unclosed "{{": expected "}}" to end the placeholder');
    }
    const tokens = tokenize(text, start + 2, close, position, context);
    const part = placeholder(tokens, position(start), context);
    if (typeof part === 'string') pushText(part);
    else parts.push(part);
    i = close + 2;
  }
  return parts;
}

/** Line and column (1-based) of each offset in `text`. */
function positions(text: string): (offset: number) => Position {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  return (offset) => {
    let line = 0;
    while (line + 1 < lineStarts.length && lineStarts[line + 1]! <= offset) line++;
    return { line: line + 1, column: offset - lineStarts[line]! + 1 };
  };
}

/** The "}}" closing a placeholder whose inside starts at `from`, skipping quoted strings; -1 if none. */
function findClose(text: string, from: number): number {
  let inString = false;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
    } else if (c === '}' && text[i + 1] === '}') {
      return i;
    } else if (c === '\n') {
      return -1;
    }
  }
  return -1;
}

const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', n: '\n', r: '\r', t: '\t' };

function tokenize(text: string, from: number, to: number, position: (o: number) => Position, context: TemplateContext): Token[] {
  const tokens: Token[] = [];
  let i = from;
  while (i < to) {
    const c = text[i]!;
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    const at = position(i);
    if (c === '"') {
      let value = '';
      i++;
      while (text[i] !== '"') {
        if (text[i] === '\\') {
          const escaped = ESCAPES[text[i + 1] ?? ''];
          if (escaped === undefined) throw templateError(context, position(i), 'unknown escape in a string: expected \\" \\\\ \\n \\r or \\t');
          value += escaped;
          i += 2;
        } else {
          value += text[i];
          i++;
        }
      }
      i++;
      tokens.push({ kind: 'string', text: value, at });
      continue;
    }
    const match = /^[^\s"{}]+/.exec(text.slice(i, to));
    if (!match) throw templateError(context, at, `unexpected "${c}" in a placeholder: expected ${PLACEHOLDERS}`);
    const word = match[0];
    if (/^-?\d+$/.test(word)) tokens.push({ kind: 'number', value: Number(word), text: word, at });
    else tokens.push({ kind: 'word', text: word, at });
    i += word.length;
  }
  return tokens;
}

/** One placeholder's meaning; text for those fixed for the whole run (env, "strings"). */
function placeholder(tokens: Token[], at: Position, context: TemplateContext): TemplatePart | string {
  const [head, ...args] = tokens;
  if (head === undefined) throw templateError(context, at, `empty placeholder "{{}}": expected ${PLACEHOLDERS}`);
  const noArgs = (part: TemplatePart) => {
    if (args.length > 0) throw templateError(context, args[0]!.at, `{{${(head as { text: string }).text}}} takes no arguments`);
    return part;
  };
  if (head.kind === 'string') {
    if (args.length > 0) throw templateError(context, args[0]!.at, 'a quoted string stands alone in its placeholder: expected "}}"');
    return head.text;
  }
  if (head.kind === 'number') throw templateError(context, head.at, `unknown placeholder "${head.text}": expected ${PLACEHOLDERS}`);
  const name = head.text;
  if (name === 'seq') return noArgs({ kind: 'seq' });
  if (name === 'uuid') return noArgs({ kind: 'uuid' });
  if (name === 'now') return noArgs({ kind: 'now' });
  if (name === 'now_ms') return noArgs({ kind: 'nowMs' });
  if (name === 'rand') return rand(args, head.at, context);
  if (name === 'pick') {
    if (args.length === 0) throw templateError(context, head.at, 'pick needs at least one choice: expected {{pick "a" "b" ...}}');
    const bad = args.find((a) => a.kind !== 'string');
    if (bad) throw templateError(context, bad.at, `pick's choices must be "quoted strings", got ${(bad as { text: string }).text}`);
    return { kind: 'pick', choices: args.map((a) => a.text as string) };
  }
  if (name === 'env') {
    const arg = args[0];
    if (args.length !== 1 || arg?.kind !== 'string') throw templateError(context, head.at, 'env takes one quoted variable name: expected {{env "NAME"}}');
    const value = context.env[arg.text];
    if (value === undefined) throw templateError(context, arg.at, `environment variable ${arg.text} is not set`);
    return value;
  }
  if (name === 'csv' || name.startsWith('csv.')) {
    if (name === 'csv') {
      const arg = args[0];
      if (args.length !== 1 || arg?.kind !== 'string') throw templateError(context, head.at, 'csv takes one quoted column name: expected {{csv "column"}} or {{csv.column}}');
      return { kind: 'csv', column: arg.text, at };
    }
    if (name.length === 4) throw templateError(context, head.at, 'csv. needs a column name: expected {{csv.column}}');
    return noArgs({ kind: 'csv', column: name.slice(4), at });
  }
  throw templateError(context, head.at, `unknown placeholder "${name}": expected ${PLACEHOLDERS}`);
}

function rand(args: Token[], at: Position, context: TemplateContext): TemplatePart {
  const expected = 'expected {{rand <low> <high>}} with whole numbers, low <= high, e.g. {{rand 1 100000}}';
  if (args.length !== 2) throw templateError(context, at, `rand takes two numbers: ${expected}`);
  const [low, high] = args as [Token, Token];
  for (const bound of [low, high]) {
    if (bound.kind !== 'number') throw templateError(context, bound.at, `rand's bounds must be whole numbers, got ${(bound as { text: string }).text}: ${expected}`);
    if (Math.abs(bound.value) > MAX_RAND) throw templateError(context, bound.at, `rand's bounds must be within ±${MAX_RAND}, got ${bound.text}`);
  }
  const lowValue = (low as { value: number }).value;
  const highValue = (high as { value: number }).value;
  if (lowValue > highValue) throw templateError(context, low.at, `rand's low bound ${lowValue} is above its high bound ${highValue}: ${expected}`);
  if (highValue - lowValue > MAX_RAND) throw templateError(context, low.at, `rand's range must span at most ${MAX_RAND}, got ${lowValue}..${highValue}`);
  return { kind: 'rand', low: lowValue, high: highValue };
}
