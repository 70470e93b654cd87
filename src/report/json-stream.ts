// json-stream.ts: finds the ratetest results in a text stream, as `kubectl logs … | ratetest merge -`
// gives them: concatenated `--json -` documents with other lines (text reports, log lines,
// `kubectl logs --prefix`'s "[pod/name/container] ") around them. Pure text in, documents out.

/** kubectl logs --prefix puts this before every line of a pod's output. */
const KUBECTL_PREFIX = /^\[pod\/[^\]\s]+\] /gm;

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

export interface StreamDocuments {
  /** Every top-level JSON object found, in order, parsed. */
  documents: unknown[];
  /** Spans that opened like an object and did not parse (cut short, or a line broke into one). */
  unparsed: number;
}

/**
 * Every JSON object in `text` whose opening brace starts a line (`--json -` writes them so; the
 * objects nested inside are indented and so are never taken for documents). A span that fails to parse
 * is skipped from its next line on, so one damaged document costs only itself.
 */
export function jsonDocuments(text: string): StreamDocuments {
  const clean = text.replace(KUBECTL_PREFIX, '');
  const documents: unknown[] = [];
  let unparsed = 0;
  const opening = /^\{/gm;
  for (let match = opening.exec(clean); match !== null; match = opening.exec(clean)) {
    const start = match.index + match[0].length - 1;
    const end = closingBrace(clean, start);
    if (end >= 0) {
      try {
        documents.push(JSON.parse(clean.slice(start, end + 1)));
        opening.lastIndex = end + 1;
        continue;
      } catch {
        // Not one object: a log line with a brace, or a document interrupted. Look on from the next line.
      }
    }
    unparsed++;
    opening.lastIndex = start + 1;
  }
  return { documents, unparsed };
}
