// Mixed traffic from a JavaScript module: 90% product reads, 10% orders, with a per-thread
// sequence number in each order. Each thread gets its own instance of this module, so `n` and
// `seed` are per thread (as Lua globals are per thread in wrk).
//   ratetest -t 2 -R 2k -d 30s -s examples/js/mixed-traffic.mjs http://127.0.0.1:8080/

let n = 0;
let seed = 1;

// A small seeded generator, so a run is repeatable.
function random() {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
}

export function setup(thread) {
  thread.set('id', (setup.count = (setup.count ?? 0) + 1));
}

export function init(args, wrk) {
  seed = wrk.thread.get('id');
}

export function request(wrk) {
  n += 1;
  if (random() < 0.9) return wrk.format('GET', `/products/${1 + Math.floor(random() * 1000)}`);
  const body = JSON.stringify({ thread: wrk.thread.get('id'), order: n });
  return wrk.format('POST', '/orders', { 'Content-Type': 'application/json' }, body);
}
