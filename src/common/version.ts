// version.ts: the package's version, read once from package.json. Its own module, with nothing
// else imported, so `ratetest --version` can answer before commander and the flags load.
import { readFileSync } from 'node:fs';

const VERSION: string = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export function version(): string {
  return VERSION;
}
