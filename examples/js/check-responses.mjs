// Check every response body from JavaScript and count the failures; done() prints the count.
// response() is only called because it is exported: a module without it costs nothing per response.
//   ratetest -R 500 -d 10s -s examples/js/check-responses.mjs http://127.0.0.1:8080/health

export function response(status, headers, body, wrk) {
  const ok = status === 200 && body.includes('ok');
  if (!ok) wrk.thread.set('bad', (wrk.thread.get('bad') ?? 0) + 1);
  wrk.thread.set('seen', (wrk.thread.get('seen') ?? 0) + 1);
}

const threads = [];
export function setup(thread) {
  threads.push(thread);
}

export function done(summary, latency) {
  const seen = threads.reduce((sum, t) => sum + (t.get('seen') ?? 0), 0);
  const bad = threads.reduce((sum, t) => sum + (t.get('bad') ?? 0), 0);
  console.log(`checked ${seen} responses: ${bad} bad; p99 ${latency.percentile(99)} us`);
}
