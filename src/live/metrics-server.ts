// metrics-server.ts: --metrics-port: GET /metrics serves the run's Prometheus metrics while it
// runs, for a Prometheus server to scrape a soak test. Bound to 127.0.0.1 unless --metrics-host
// says otherwise; closed when the run ends, however it ends.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { UsageError } from '../common/errors.js';
import type { RunMetrics } from './prometheus.js';

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

export async function startMetricsServer(metrics: RunMetrics, port: number, host = '127.0.0.1'): Promise<MetricsServer> {
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('ratetest serves /metrics only\n');
      return;
    }
    metrics.text().then(
      (text) => res.writeHead(200, { 'Content-Type': metrics.registry.contentType }).end(text),
      (err: Error) => res.writeHead(500, { 'Content-Type': 'text/plain' }).end(`${err.message}\n`),
    );
  });
  // A scraper's keep-alive connection must not hold the process open after the run.
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(new UsageError(`--metrics-port ${port} cannot listen on ${host}: ${err.code === 'EADDRINUSE' ? 'the port is in use' : (err.code ?? err.message)}`));
    });
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
