// json-stream.ts: finds the ratetest results in a text stream, as `kubectl logs … | ratetest merge -`
// gives them: concatenated `--json -` documents with other lines (text reports, log lines,
// `kubectl logs --prefix`'s "[pod/name/container] ") around them. Pure text in, documents out.

/** kubectl logs --prefix puts this before every line of a pod's output. */
const KUBECTL_PREFIX = /^\[pod\/[^\]\s]+\] /gm;
const HAS_PREFIX = /^\[pod\/[^\]\s]+\] /m;

/** Where the JSON value that opens at `start` ('{') closes, or -1 when the text ends first. */
function closingBrace(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b /* { */) depth++;
    else if (c === 0x7d /* } */ && --depth === 0) return i;
  }
  return -1;
}

const NOT_JSON = Symbol('not JSON');

function parsed(span: string): unknown {
  try {
    return JSON.parse(span) as unknown;
  } catch {
    return NOT_JSON;
  }
}

export interface StreamDocuments<T> {
  /** Every top-level JSON object found, in order, parsed (and kept by `take`). */
  documents: T[];
  /** Spans that opened like an object and did not parse (cut short, or a line broke into one). */
  unparsed: number;
}

/**
 * Every JSON object in `text` whose opening brace starts a line (`--json -` writes them so; the
 * objects nested inside are indented and so are never taken for documents). A span that fails to parse
 * is skipped from its next line on, so one damaged document costs only itself. `take` turns each
 * document into what the caller keeps (undefined: drop it) as it is parsed, so a stream of a
 * hundred results never holds a hundred parsed JSON trees at once.
 */
export function jsonDocuments<T = unknown>(text: string, take: (document: unknown) => T | undefined = (d) => d as T): StreamDocuments<T> {
  const clean = HAS_PREFIX.test(text) ? text.replace(KUBECTL_PREFIX, '') : text;
  const documents: T[] = [];
  let unparsed = 0;
  const opening = /^\{/gm;
  for (let match = opening.exec(clean); match !== null; match = opening.exec(clean)) {
    const start = match.index + match[0].length - 1;
    const end = closingBrace(clean, start);
    const document = end >= 0 ? parsed(clean.slice(start, end + 1)) : NOT_JSON;
    if (document === NOT_JSON) {
      // Not one object: a log line with a brace, or a document interrupted. Look on from the next line.
      unparsed++;
      opening.lastIndex = start + 1;
      continue;
    }
    opening.lastIndex = end + 1;
    const kept = take(document);
    if (kept !== undefined) documents.push(kept);
  }
  return { documents, unparsed };
}
