// read-result.ts: a ratetest JSON result (--json) read back from a file, for the subcommands that
// take results (merge, compare). Anything else is one clear UsageError.
import { readFileSync } from 'node:fs';
import { UsageError } from '../common/errors.js';
import { JSON_SCHEMA_ID, type ResultJson } from '../report/json.js';

export function readFileText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** Parses a result's text; `file` names it in the error. */
export function parseResultJson(text: string, file: string): ResultJson {
  let json: Partial<ResultJson>;
  try {
    json = JSON.parse(text) as Partial<ResultJson>;
  } catch (err) {
    throw new UsageError(`${file}: not valid JSON (${(err as Error).message})`);
  }
  if (json?.schema !== JSON_SCHEMA_ID || !json.latency?.corrected?.histogram) {
    throw new UsageError(`${file}: not a ratetest result (expected "schema": "${JSON_SCHEMA_ID}" with latency histograms, as --json writes)`);
  }
  return json as ResultJson;
}

export function readResultJson(file: string): ResultJson {
  return parseResultJson(readFileText(file), file);
}
