// The bench's 3-placeholder template as a JavaScript request().
import { randomUUID } from 'node:crypto';

let seq = 0;
export function request(wrk) {
  seq += 1;
  return wrk.format('GET', `/items/${1 + Math.floor(Math.random() * 100000)}?seq=${seq}`, { 'X-Request-Id': randomUUID() });
}
