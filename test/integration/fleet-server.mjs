// fleet-server.mjs: the fleet test's target, run as its own process (inside the target network
// namespace when there is one). Logs every /t/<seq> request: its number, the monotonic arrival
// time, the answer's times just before and just after its write, and the peer address; holds the
// answers of every STALL_EVERY-th request for STALL_MS (a server that stalls now and then). Prints "listening <port>" once ready; on a
// line "dump" on stdin it prints the log as one JSON line and exits. Plain JavaScript, so it
// runs without a build: node fleet-server.mjs <host> <stallEvery> <stallMs>.
import { createServer } from 'node:http';
import { createInterface } from 'node:readline';

const [host = '127.0.0.1', stallEvery = '0', stallMs = '0'] = process.argv.slice(2);
const every = Number(stallEvery);
const log = [];
const now = () => Number(process.hrtime.bigint());

const server = createServer((req, res) => {
  const arrivalNs = now();
  const match = /^\/t\/(\d+)$/.exec(req.url ?? '');
  const seq = match ? Number(match[1]) : -1;
  req.resume();
  req.on('end', () => {
    // The write is bracketed: on a busy machine this process can lose its CPU on either side of
    // it (the client's pump, woken by the answer, preempts it), so one reading could be ms off.
    const answer = () => {
      const answeringNs = now();
      res.end('ok');
      log.push([seq, arrivalNs, answeringNs, now(), req.socket.remoteAddress ?? '']);
    };
    if (every > 0 && seq > 0 && seq % every === 0) setTimeout(answer, Number(stallMs));
    else answer();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, host, () => process.stdout.write(`listening ${server.address().port}\n`));
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() !== 'dump') return;
  process.stdout.write(`${JSON.stringify(log)}\n`, () => process.exit(0));
});
