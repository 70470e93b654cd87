import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runJson } from './run-cli.js';
import { plain, type TestServer } from './servers.js';

describe('a healthy server at a modest rate', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await plain();
  });
  afterAll(() => server.close());

  it('sends exactly rate x duration requests and counts every response, status and byte', async () => {
    const { json, code } = await runJson(['-R', '1000', '-d', '3s', '-c', '10', '-t', '2', server.url]);
    expect(code).toBe(0);
    expect(json.scheduled).toBe(3000);
    expect(json.sent).toBe(3000);
    expect(json.completed).toBeGreaterThanOrEqual(2970);
    expect(json.completed).toBe(server.requests);
    expect(json.status['200']).toBe(json.completed);
    expect(json.achievedRate).toBeGreaterThan(990);
    expect(json.achievedRate).toBeLessThan(1010);
    expect(json.errors).toEqual({ connect: 0, read: 0, write: 0, timeout: 0, parse: 0 });
    // Every response from this server has the same size, so bytes read are a whole multiple.
    expect(json.bytesRead % json.completed).toBe(0);
    expect(json.bytesRead / json.completed).toBeGreaterThan(100);
    expect(json.bytesWritten % json.sent).toBe(0);
    expect(json.latency.corrected.count).toBe(json.completed);
  });
});
