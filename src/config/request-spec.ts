// request-spec.ts: the options that describe requests of a mix and scripts, as RunOptions holds
// them. Types only: requests/ and script/ compile and load them.

/** Where a template value stands in a file (a request file), so errors give its line:column. */
export interface TemplateOrigin {
  path: string;
  line: number;
  column: number;
  /** Columns of indentation stripped from lines after the first (a YAML block scalar). */
  indent: number;
}

/** One request of a mix (a request file's entry). Fields left out take the run's (URL path, GET/POST). */
export interface RequestSpec {
  /** Names the request in the report; unique within the run. */
  name: string;
  /** Relative share of the requests, a positive number (default 1): 90 and 10 send 90% and 10%. */
  weight?: number;
  method?: string;
  /** Path and query, "/" first; may hold placeholders. Default: the URL's. */
  path?: string;
  /** "Name: value" headers, after the run's own (-H); a name given here replaces the run's. */
  headers?: string[];
  body?: string | Buffer;
  /** Names this request in messages, e.g. "reqs.yaml:7:5 requests[1]"; default "requests[i]". */
  where?: string;
  /** Where its path, body and header values stand in a file, so errors give the file's line:column. */
  origins?: { path?: TemplateOrigin; body?: TemplateOrigin; headers?: Record<string, TemplateOrigin> };
}

/** Where a script's print() and io.write() go. */
export type ScriptOutput = (text: string) => void;

export interface ScriptOptions {
  /** A .lua file (wrk/wrk2 script) or a JavaScript module (.mjs, .js). */
  file: string;
  /** init(args): args[0] is the URL, then the arguments after the URL (`-- a b`), as in wrk. */
  args?: string[];
  /** Where Lua's print() and io.write() go (default stdout). */
  output?: ScriptOutput;
}
