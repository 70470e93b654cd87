// pump.cc: the hot path. No allocation, no N-API, no logging, no locks: after the constructor
// every request costs a send(), a recv() and its share of one poller wait (with --io-engine
// io_uring: its share of the window's io_uring_enter calls).
#include "pump.h"

#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <algorithm>
#include <ctime>
#include <chrono>
#include <thread>

#include "clock.h"

namespace ratetest {
namespace {

constexpr int kMaxEvents = 1024;
// A refused or failing connect is retried after this long rather than at once, so a dead
// target costs 20 attempts a second per connection, not a busy loop.
constexpr uint64_t kBackoffNs = 50ull * 1000000ull;
// Pumps start together this long after the last one is ready, so none starts mid-turn.
constexpr uint64_t kStartDelayNs = 1000000ull;
// A source with no request ready (a script running behind) is asked again this much later,
// rather than in a busy loop; the waiting request's latency clock runs meanwhile.
constexpr uint64_t kSourceRetryNs = 50ull * 1000ull;

// Per-second slots: the run's length, capped at a day (a -n run has no length; its later
// seconds share the last slot).
uint64_t seconds_of(const RunPlan& plan) { return std::min<uint64_t>((plan.duration_ns + 999999999ull) / 1000000000ull, 86400); }

// Connections are dealt round-robin over the pumps: pump i of T gets ceil((C - i) / T).
uint64_t share_of(uint64_t total, uint32_t pumps, uint32_t index) { return (total - index + pumps - 1) / pumps; }

RunPlan::Address address_for(const RunPlan& plan, uint32_t index) {
  if (index < plan.pump_addresses.size()) return plan.pump_addresses[index];
  return RunPlan::Address{plan.address, plan.address_length};
}

// A tapped response leaves its connection's capture buffer this large, so most never grow it.
constexpr size_t kCaptureReserve = 4096;
// HTTP/2 frames a plain socket did not take at once: nghttp2 hands out ~16 KiB at a time.
constexpr size_t kH2QueueReserve = 64 * 1024;
// One write's worth of HTTP/2 frames: a turn's HEADERS for --streams 100 fit many times over.
constexpr size_t kH2FrameBytes = 64 * 1024;

}  // namespace

Pump::Pump(const RunPlan& plan, uint32_t index, StartGate* gate, const std::atomic<bool>* stop, const TlsContext* tls,
           ScriptChannels* script)
    : plan_(plan),
      index_(index),
      gate_(gate),
      stop_(stop),
      script_(script),
      tap_(script != nullptr ? script->responses.get() : nullptr),
      address_(address_for(plan, index)),
      // Connections are dealt round-robin: pump i of T gets ceil((C - i) / T).
      connection_count_(static_cast<uint32_t>(share_of(plan.connections, plan.threads, index))),
      max_connections_(static_cast<uint32_t>(share_of(std::max(plan.max_connections, plan.connections), plan.threads, index))),
      request_limit_(plan.max_requests > 0 ? lane_share(plan.max_requests, lane_of(plan, index)) : UINT64_MAX),
      poller_(kMaxEvents),
      schedule_(&plan.shape, lane_of(plan, index).stride, lane_of(plan, index).offset, plan.poisson, plan.seed),
      recorder_(seconds_of(plan)),
      source_(make_request_source(plan, index, script)),
      warmup_(1),
      intervals_(plan.interval_ns, &recorder_.corrected),
      conns_(max_connections_),
      timeouts_(&conns_),
      connect_timeouts_(&conns_),
      backoff_(&conns_),
      idle_(max_connections_),
      read_buffer_(new char[kReadBufferBytes]),
      events_(new PollEvent[kMaxEvents]),
      plain_buffer_(tls != nullptr ? new char[kReadBufferBytes] : nullptr),
      in_flight_slots_(new PendingRequest[static_cast<size_t>(max_connections_) * plan.pipeline]) {
  for (int name = 0; name < source_->names(); ++name) recorder_.names.push_back(std::make_unique<NameRecorder>());
  const size_t hint = source_->max_bytes_hint();
  const size_t largest = std::max(hint, plan.request.size());
  Ring* ring = nullptr;
#ifdef __linux__
  if (plan.io_uring) {
    ring_ = std::make_unique<Ring>();
    ring_error_ = ring_->open(max_connections_, &ring_step_);
    ring = ring_.get();
  }
#endif
  const StreamShared shared{tls, &recorder_, &clock_offset_, read_buffer_.get(), plain_buffer_.get(), kReadBufferBytes, ring};
  // Pipelined requests queue behind a full socket buffer as a matter of course; one request
  // only does so rarely, and its buffer then grows once and stays. Over the ring every write is
  // copied until its send completes.
  const size_t queue_reserve = plan.http2            ? kH2QueueReserve
                               : plan.pipeline > 1   ? largest * plan.pipeline
                               : ring != nullptr     ? largest
                                                     : 0;
  if (plan.http2) {
    h2_pool_ = std::make_unique<H2Pool>();
    h2_frames_.reset(new char[kH2FrameBytes]);
    queued_.reserve(max_connections_);
    h2_scratch_ = std::make_unique<H2Request>();
    h2_scratch_->names.resize(largest);
    refused_.resize(static_cast<size_t>(max_connections_) * plan.pipeline);
  }
  // For HTTP/2, `pipeline` is --streams: the in-flight slots per connection.
  const H2Shared h2{h2_pool_.get(), &recorder_.h2, h2_scratch_.get(), tls != nullptr ? "https" : "http", plan.authority.c_str(),
                    plan.grpc, h2_frames_.get(), kH2FrameBytes, tap_ != nullptr ? plan.script.capture_limit : 0};
  for (uint32_t i = 0; i < max_connections_; ++i) {
    Conn& conn = conns_[i];
    conn.stream = make_byte_stream(i, shared, queue_reserve);
    if (plan.http2) {
      conn.session = make_h2_session(i, conn.stream.get(), h2, plan.pipeline, std::min(largest, kRequestBufferPresizeBytes));
    } else {
      conn.session = make_http1_session(i, &in_flight_slots_[static_cast<size_t>(i) * plan.pipeline], plan.pipeline, tap_ != nullptr);
    }
    // Presized up to a point: 10k connections each holding a copy of a 400 KB request would
    // be 4 GB; a request larger than this grows its connection's buffer once, then it stays.
    if (hint > 0) conn.request.buffer.resize(std::min(hint, kRequestBufferPresizeBytes));
    if (tap_ != nullptr) conn.captured.reserve(std::min(kCaptureReserve, plan.script.capture_limit));
  }
}

uint64_t Pump::token(uint32_t index) const { return (static_cast<uint64_t>(conns_[index].generation) << 32) | index; }

void Pump::run() {
#ifdef PR_SET_TIMERSLACK
  // The default 50 us timer slack would add up to 50 us to every scheduled wake-up.
  prctl(PR_SET_TIMERSLACK, 1, 0, 0, 0);
#endif
  recorder_.kernel_tid.set(kernel_thread_id());
#ifdef __linux__
  if (ring_ != nullptr) {
    // This thread becomes the ring's one submitter. A ring that opened enables (it fails only
    // for a ring already enabled); connects and wake() reach the ring through the polled epoll set.
    ring_->enable();
    ring_->poll(poller_.fd());
  }
#endif
  uint64_t now = monotonic_now_ns();
  for (uint32_t i = 0; i < connection_count_; ++i) open(i, now);
  loop(Phase::connecting, now + plan_.connect_timeout_ns);

  if (gate_->waiting.fetch_sub(1) == 1) gate_->open(monotonic_now_ns() + kStartDelayNs, plan_.start_at_ns);
  while (gate_->start_ns.load() == 0 && !stop_->load(std::memory_order_relaxed)) {
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
  const uint64_t start = gate_->start_ns.load() != 0 ? gate_->start_ns.load() : monotonic_now_ns();
  schedule_.start(start);
  if (plan_.closed_loop) {
    // No schedule to wait on: hold the first requests until the common start, not before it.
    const timespec at{static_cast<time_t>(start / 1000000000ull), static_cast<long>(start % 1000000000ull)};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, nullptr) == EINTR) {
    }
  }
  measure_start_ns_ = start + plan_.warmup_ns;
  intervals_.start(measure_start_ns_);
  end_ns_ = measure_start_ns_ + plan_.duration_ns;
  const uint64_t cpu_start = thread_cpu_ns();
  const uint64_t run_delay_start = thread_run_delay_ns();

  loop(Phase::running, end_ns_);

  now = monotonic_now_ns();
  const bool stopped = stop_->load(std::memory_order_relaxed) && now < end_ns_;
  stopped_early_ = stopped;
  measured_end_ns_ = std::min(now, end_ns_);
  const uint64_t schedule_end = std::min(now, end_ns_ - 1);
  uint64_t scheduled = plan_.closed_loop ? next_request_ : std::min(schedule_.due_count(schedule_end), request_limit_);
  uint64_t warmup_scheduled = 0;
  if (plan_.warmup_ns > 0) {
    const uint64_t due = warmup_counted_ ? warmup_due_ : schedule_.due_count(std::min(schedule_end, measure_start_ns_ - 1));
    warmup_scheduled = plan_.closed_loop ? warmup_.sent.get() : std::min(due, scheduled);
    warmup_.scheduled.set(warmup_scheduled);
  }
  const uint64_t sent_measured = next_request_ - warmup_.sent.get();
  recorder_.scheduled.set(scheduled - warmup_scheduled);
  recorder_.due.set(scheduled - warmup_scheduled);
  recorder_.not_sent.set(scheduled - warmup_scheduled > sent_measured ? scheduled - warmup_scheduled - sent_measured : 0);
  if (!stopped) loop(Phase::draining, now + plan_.drain_ns);
  // A run bounded by -n lasts until its last response (as hey's total time), not its last send.
  if (!stopped && plan_.max_requests > 0 && schedule_exhausted()) measured_end_ns_ = std::max(measured_end_ns_, monotonic_now_ns());

  finish_intervals(monotonic_now_ns());
  recorder_.cpu_ns.set(thread_cpu_ns() - cpu_start);
  recorder_.run_delay_ns.set(thread_run_delay_ns() - run_delay_start);
  // Closing the connections empties the in-flight gauge; the result reports what was unanswered.
  const uint32_t unanswered = busy_ + static_cast<uint32_t>(refused_size_);
  for (uint32_t i = 0; i < connection_count_; ++i) close_conn(i);
  recorder_.in_flight.set(unanswered);
}

bool Pump::phase_done(Phase phase, uint64_t now_ns, uint64_t until_ns) const {
  if (stop_->load(std::memory_order_relaxed)) return true;
  // wrk.thread:stop(): this thread's schedule ends here, as if its duration were up.
  if (phase == Phase::running && script_ != nullptr && script_->stop.load(std::memory_order_relaxed)) return true;
  if (now_ns >= until_ns) return true;
  switch (phase) {
    case Phase::connecting:
      // Open and taking requests: HTTP/2 connections only once the server's SETTINGS are in.
      return connecting_ == 0 && idle_count_ >= open_;
    case Phase::running:
      return schedule_exhausted() && (plan_.max_requests > 0 || plan_.closed_loop);
    case Phase::draining:
      return busy_ == 0 && refused_size_ == 0;
  }
  return true;
}

// The earliest connection deadline (timeout or back-off), or until_ns.
uint64_t Pump::next_deadline_ns(uint64_t until_ns) const {
  uint64_t deadline = until_ns;
  if (!timeouts_.empty()) deadline = std::min(deadline, conns_[timeouts_.head()].deadline_ns);
  if (!connect_timeouts_.empty()) deadline = std::min(deadline, conns_[connect_timeouts_.head()].deadline_ns);
  if (!backoff_.empty()) deadline = std::min(deadline, conns_[backoff_.head()].deadline_ns);
  return deadline;
}

uint64_t Pump::next_wake_ns(Phase phase, uint64_t now_ns, uint64_t until_ns) const {
  uint64_t wake = next_deadline_ns(until_ns);
  if (phase == Phase::running && idle_count_ > 0) {
    // Closed loop sends whenever a connection is free, so only a source running behind delays it.
    wake = std::min(wake, plan_.closed_loop ? source_retry_ns_ : next_send_ns());
  }
  return std::max(wake, now_ns);
}

void Pump::loop(Phase phase, uint64_t until_ns) {
  uint64_t now = monotonic_now_ns();
  close_intervals(now);
  for (;;) {
    expire_deadlines(now);
    // Dispatch before the end check: requests due just before the end still go out.
    // Streams a GOAWAY refused go before anything new: they are the oldest requests waiting.
    if (phase != Phase::connecting && refused_size_ > 0) resend_refused(now);
    if (phase == Phase::running) dispatch_due(now);
    if (!queued_.empty()) send_queued(now);
    if (phase_done(phase, now, until_ns)) return;
    int count;
    const bool gathering = phase == Phase::running && gathers() && busy_ > open_;
    const uint32_t in_flight = busy_;
    if (gathering) {
      count = wait_gathered(now, until_ns);
    } else if (phase == Phase::running && plan_.batch_ns > 0 && !plan_.closed_loop && !waiting_for_connection(now)) {
      count = wait_batched(now, until_ns);
    } else {
      count = wait_io(next_wake_ns(phase, now, until_ns), now);
    }
    now = monotonic_now_ns();
    if (count > 0) clock_offset_.refresh();
    // Before anything this turn records: a turn's work all lands in the interval of its `now`.
    close_intervals(now);
#ifdef __linux__
    if (ring_ != nullptr) {
      handle_completions(now);
      continue;
    }
#endif
    handle_events(count, now);
    if (gathering) adapt_gather(in_flight, in_flight - std::min(in_flight, busy_));
  }
}

// Closed loop over HTTP/2 (-R max --http2, --batch > 0). Woken by each response, a pump that
// outpaces its server answers one stream per turn and refills it with its own send(): a read,
// a write and a wait for every request (three syscalls, ~10 us of CPU on a virtual machine), and
// the server, fed one HEADERS frame at a time, answers one at a time too. So while the server
// has several streams per connection to work on, a turn starts no sooner than gather_ns_ after
// the one before: 40 streams against a server answering one per 10 us come back ~10 at a time,
// and their connections' refills share one write each.
int Pump::wait_gathered(uint64_t now_ns, uint64_t until_ns) {
  const uint64_t wake = std::min(next_deadline_ns(until_ns), now_ns + gather_ns_);
  if (wake > now_ns) {
    const timespec at{static_cast<time_t>(wake / 1000000000ull), static_cast<long>(wake % 1000000000ull)};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, nullptr) == EINTR) {
    }
  }
  // Then as soon as anything is ready: a slow server's responses are waited for, not polled.
  const uint64_t after = std::max(wake, now_ns);
  return poller_.wait(events_.get(), next_wake_ns(Phase::running, after, until_ns), after);
}

// The window follows the server. Every stream came back: it may have sat idle waiting for us, so
// the window halves (below kMinGatherNs the pump waits as it would without one). Fewer than half
// came back: it doubles, up to --batch. A server as fast as the round trip (-c 1 --streams 2)
// settles near one round trip per turn, where an eager pump would be anyway.
void Pump::adapt_gather(uint32_t in_flight, uint32_t answered) {
  constexpr uint64_t kMinGatherNs = 5000;
  if (answered >= in_flight) {
    gather_ns_ = gather_ns_ / 2 < kMinGatherNs ? 0 : gather_ns_ / 2;
  } else if (2 * answered < in_flight) {
    gather_ns_ = std::min(plan_.batch_ns, std::max(2 * gather_ns_, kMinGatherNs));
  }
}

// When the next request can go out: its intended time, or later while the source is behind.
uint64_t Pump::next_send_ns() const { return std::max(schedule_.intended_ns(next_request_), source_retry_ns_); }

bool Pump::waiting_for_connection(uint64_t now_ns) const {
  return idle_count_ == 0 && schedule_.intended_ns(next_request_) <= now_ns;
}

// Batched waiting (--batch): one wake-up per window at most. Each wake-up costs ~20 us of CPU on
// a virtual machine, and a server woken for each request charges its own wake-up to our send():
// at 20k req/s that is two thirds of the CPU. So sleep through arriving responses (the kernel's
// receive timestamps keep their times exact) and wake at the later of the next request's time
// and one window after the last wake-up, then take every ready event at once. At low rates
// that is each request's own time; at high rates, requests due within one window share it.
int Pump::wait_batched(uint64_t now_ns, uint64_t until_ns) {
  uint64_t wake = std::max(next_deadline_ns(until_ns), now_ns);
  if (idle_count_ > 0) {
    wake = std::min(wake, std::max(next_send_ns(), last_wake_ns_ + plan_.batch_ns));
  }
  // Read at least once a window while responses are due, so a large response never waits
  // long on a full socket buffer.
  // So do open connections that cannot take a request yet (HTTP/2 before the server's SETTINGS).
  if (busy_ > 0 || connecting_ > 0 || idle_count_ < open_) wake = std::min(wake, now_ns + plan_.batch_ns);
#ifdef __linux__
  // The sends this turn queued go now, at their time, not when the window ends.
  if (ring_ != nullptr) ring_->submit();
#endif
  if (wake > now_ns) {
    const timespec at{static_cast<time_t>(wake / 1000000000ull), static_cast<long>(wake % 1000000000ull)};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, nullptr) == EINTR) {
    }
  }
  // The window runs from the wake-up asked for, not the one we got: measuring from the actual
  // (late) wake-up would push every later wake-up back by each lateness in turn.
  last_wake_ns_ = std::max(wake, now_ns);
  return wait_io(0, 0);
}

// The poller's wait, or the ring's: submit what this turn queued, then wait for a completion
// (beyond the sends' own) or the deadline.
int Pump::wait_io(uint64_t deadline_ns, uint64_t now_ns) {
#ifdef __linux__
  if (ring_ != nullptr) return static_cast<int>(ring_->wait(ring_->sends_in_flight() + 1, deadline_ns, now_ns));
#endif
  return poller_.wait(events_.get(), deadline_ns, now_ns);
}

#ifdef __linux__
// Every ring completion to its connection's stream; the stream drops those of an earlier
// connection of the slot. The polled epoll set turned readable: connects (and wake()) to handle.
void Pump::handle_completions(uint64_t now_ns) {
  RingEvent event;
  bool polled = false;
  while (ring_->next(&event)) {
    if (event.op == RingOp::poll) {
      polled = true;
      continue;
    }
    if (event.op != RingOp::receive && event.op != RingOp::send) continue;
    const uint32_t index = event.index;
    if (index >= connection_count_) continue;
    const ConnState state = conns_[index].state;
    if (state != ConnState::busy && state != ConnState::idle) continue;
    on_io(index, conns_[index].stream->complete(event, *this, now_ns), now_ns);
  }
  if (polled) {
    handle_events(poller_.wait(events_.get(), 0, 0), now_ns);
    ring_->poll(poller_.fd());
  }
}
#else
void Pump::handle_completions(uint64_t) {}
#endif

void Pump::handle_events(int count, uint64_t now_ns) {
  for (int i = 0; i < count; ++i) {
    const PollEvent& event = events_[i];
    const uint32_t index = static_cast<uint32_t>(event.token);
    if (index >= connection_count_ || token(index) != event.token) continue;  // for an fd closed this turn
    switch (conns_[index].state) {
      case ConnState::connecting:
        if (event.writable || event.failed) on_connected(index, now_ns);
        break;
      case ConnState::handshaking:
        on_open(index, conns_[index].stream->on_open_io(event.readable || event.failed, event.writable, now_ns), now_ns);
        break;
      case ConnState::busy:
      case ConnState::idle: {
        // A failed write replaces the connection: the generation tells.
        const uint32_t generation = conns_[index].generation;
        if (event.writable) on_io(index, conns_[index].stream->flush(), now_ns);
        if ((event.readable || event.failed) && conns_[index].generation == generation) {
          on_io(index, conns_[index].stream->read(*this, now_ns), now_ns);
        }
        break;
      }
      case ConnState::closed:
      case ConnState::backoff:
        break;
    }
  }
}

void Pump::expire_deadlines(uint64_t now_ns) {
  while (!timeouts_.empty() && conns_[timeouts_.head()].deadline_ns <= now_ns) {
    on_timeout(static_cast<uint32_t>(timeouts_.head()), now_ns);
  }
  while (!connect_timeouts_.empty() && conns_[connect_timeouts_.head()].deadline_ns <= now_ns) {
    const auto index = static_cast<uint32_t>(connect_timeouts_.head());
    abandon_connect(index);
    back_off(index, ETIMEDOUT, now_ns);
  }
  while (!backoff_.empty() && conns_[backoff_.head()].deadline_ns <= now_ns) {
    const int32_t index = backoff_.head();
    backoff_.remove(index);
    conns_[index].state = ConnState::closed;
    open(static_cast<uint32_t>(index), now_ns);
  }
}

// Every request due by now goes out, oldest first, while a connection is free. Those left
// waiting keep their intended time: their latency clock is already running.
void Pump::dispatch_due(uint64_t now_ns) {
  if (plan_.closed_loop) {
    // -R max: no schedule; every idle connection sends at once and its latency starts now.
    while (idle_count_ > 0 && !schedule_exhausted() && now_ns < end_ns_ && send_next(now_ns, now_ns)) {
    }
    return;
  }
  if (now_ns >= measure_start_ns_) count_warmup_due();
  // The measured target: what the schedule has due since the warm-up ended (nothing during it).
  const uint64_t due_now = std::min(schedule_.due_count(std::min(now_ns, end_ns_ - 1)), request_limit_);
  recorder_.due.set(warmup_counted_ && due_now > warmup_due_ ? due_now - warmup_due_ : 0);
  uint64_t intended = schedule_.intended_ns(next_request_);
  while (intended <= now_ns && intended < end_ns_ && !schedule_exhausted()) {
    if (idle_count_ == 0) {
      const uint64_t due = std::min(schedule_.due_count(std::min(now_ns, end_ns_ - 1)), request_limit_);
      const uint64_t from = std::max(queued_upto_, next_request_);
      if (due > from) recorder_for(intended).queued.add(due - from);
      queued_upto_ = std::max(queued_upto_, due);
      grow_connections(now_ns);
      return;
    }
    if (!send_next(intended, now_ns)) return;
    intended = schedule_.intended_ns(next_request_);
  }
}

// Counted as the clock passes the warm-up's end, while the queries still rise (a Poisson count
// asked for an earlier time would walk the stream again from its start).
void Pump::count_warmup_due() {
  if (warmup_counted_) return;
  warmup_due_ = plan_.warmup_ns > 0 ? schedule_.due_count(measure_start_ns_ - 1) : 0;
  warmup_counted_ = true;
}

// The measured target up to t_ns (after the warm-up's end): what the schedule had due, or in
// closed loop what was sent.
uint64_t Pump::due_through(uint64_t t_ns) {
  if (plan_.closed_loop) return recorder_.sent.get();
  count_warmup_due();
  const uint64_t due = std::min(schedule_.due_count(std::min(t_ns, end_ns_ - 1)), request_limit_);
  return due > warmup_due_ ? due - warmup_due_ : 0;
}

// Once a loop turn: queue every interval that has ended by now. Each is closed on its own, the
// ones the pump slept through (a stall: every connection busy) as empty intervals with their
// target; a full ring keeps the open interval open, and the next attempt closes everything that
// ended as one record. Past kMaxEmptyIntervals slept through, they too go as one record.
void Pump::close_intervals(uint64_t now_ns) {
  constexpr uint64_t kMaxEmptyIntervals = 1000;
  if (!intervals_.started(now_ns)) return;
  const uint64_t ended = intervals_.index_at(now_ns);  // intervals before this one have ended
  while (intervals_.open_first() < ended) {
    const uint64_t first = intervals_.open_first();
    const uint64_t last = interval_ring_full_ || ended - first > kMaxEmptyIntervals ? ended - 1 : first;
    const uint64_t end = intervals_.end_of(last);
    interval_ring_full_ = !intervals_.close(last, end - measure_start_ns_, due_through(end - 1), recorder_);
    if (interval_ring_full_) return;
  }
}

// The run's last interval ends with the pump (after the drain): a partial interval.
void Pump::finish_intervals(uint64_t now_ns) {
  if (!intervals_.started(now_ns)) return;
  close_intervals(now_ns);
  if (interval_ring_full_) return;  // the open interval stays as the leftover, up to now
  intervals_.close(intervals_.index_at(now_ns), now_ns - measure_start_ns_, recorder_.due.get(), recorder_);
}

// The next request onto an available connection (one must be). False when the source has no
// request ready yet: the connection stays available and the source is asked again later.
bool Pump::send_next(uint64_t intended_ns, uint64_t now_ns) {
  if (source_retry_ns_ > now_ns) return false;
  const uint32_t index = take_idle();
  // The global request number (schedule.h's lane): unique across pumps and shards, no shared counter.
  const uint64_t seq = schedule_.global(next_request_);
  const int name = source_->next(seq, now_ns, &conns_[index].request);
  if (name < 0) {
    make_available(index);
    source_retry_ns_ = now_ns + kSourceRetryNs;
    return false;
  }
  send_request(index, name, seq, intended_ns, now_ns, false);
  ++next_request_;
  return true;
}

// HTTP/2: streams a GOAWAY refused, oldest first, rebuilt from their request numbers and sent
// with their own intended times. Counted as sent once, when first written.
void Pump::resend_refused(uint64_t now_ns) {
  while (refused_size_ > 0 && idle_count_ > 0) {
    const PendingRequest refused = refused_[refused_first_];
    const uint32_t index = take_idle();
    const int name = source_->next(refused.seq, now_ns, &conns_[index].request);
    if (name < 0) {
      make_available(index);
      return;
    }
    refused_first_ = (refused_first_ + 1) % refused_.size();
    --refused_size_;
    recorder_.h2.resent.add();
    send_request(index, name, refused.seq, refused.intended_ns, now_ns, true);
  }
}

// --max-connections: a request is due and every connection is busy, so open more, one for
// each waiting request not already covered by a connection still being opened.
void Pump::grow_connections(uint64_t now_ns) {
  const uint64_t waiting = queued_upto_ > next_request_ ? queued_upto_ - next_request_ : 0;
  while (connection_count_ < max_connections_ && connecting_ < waiting) {
    const uint32_t index = connection_count_++;
    recorder_.connections_opened.add();
    const uint64_t second = now_ns > measure_start_ns_ ? (now_ns - measure_start_ns_) / 1000000000ull : 0;
    recorder_.opened_per_second[std::min(second, recorder_.seconds - 1)].add();
    open(index, now_ns);
  }
}

void Pump::open(uint32_t index, uint64_t now_ns) {
  Conn& conn = conns_[index];
  int err = 0;
  const int fd = start_connect(address_.address, address_.length, &err);
  if (fd < 0) {
    back_off(index, err, now_ns);
    return;
  }
  conn.fd = fd;
  conn.state = ConnState::connecting;
  conn.want_write = true;
  conn.responses = 0;
  if (!poller_.add(fd, token(index), true)) {
    const int add_err = errno;
    close_conn(index);
    back_off(index, add_err, now_ns);
    return;
  }
  ++connecting_;
  connect_timeouts_.push_back(static_cast<int32_t>(index), now_ns + plan_.connect_timeout_ns);
}

void Pump::on_connected(uint32_t index, uint64_t now_ns) {
  const int err = connect_result(conns_[index].fd);
  if (err != 0) {
    abandon_connect(index);
    back_off(index, err, now_ns);
    return;
  }
  on_open(index, conns_[index].stream->begin(conns_[index].fd, now_ns), now_ns);
}

// Where the byte stream's opening (TLS: its handshake) stands.
void Pump::on_open(uint32_t index, const OpenResult& result, uint64_t now_ns) {
  switch (result.step) {
    case OpenStep::ready:
      finish_connect(index, result.want_write, now_ns);
      if (result.buffered) on_io(index, conns_[index].stream->drain(*this, now_ns), now_ns);
      break;
    case OpenStep::want_io:
      conns_[index].state = ConnState::handshaking;
      set_want_write(index, result.want_write);
      break;
    case OpenStep::refused:
      abandon_connect(index);
      back_off(index, result.err_no, now_ns);
      break;
    case OpenStep::failed:
      // Counted by the stream (a TLS error); retried after the back-off like a refused connect.
      abandon_connect(index);
      retry_later(index, now_ns);
      break;
  }
}

// Connected (and the stream's handshake, if any, done): ready for requests.
void Pump::finish_connect(uint32_t index, bool want_write, uint64_t now_ns) {
#ifdef __linux__
  if (ring_ != nullptr) {
    // The ring reads and writes it from now on: left in the epoll set, its readiness would end
    // every ring wait.
    poller_.remove(conns_[index].fd);
    conns_[index].want_write = false;
  }
#endif
  connect_timeouts_.remove(static_cast<int32_t>(index));
  --connecting_;
  ++open_;
  recorder_.connections_open.set(open_);
  set_want_write(index, want_write);
  conns_[index].state = ConnState::idle;
  const uint32_t generation = conns_[index].generation;
  // HTTP/2's preface. HTTP/1.1 says nothing first: its "done" must not clear a want_write the
  // handshake left.
  const IoResult opened = conns_[index].session->open(*conns_[index].stream);
  if (opened.io != Io::done) on_io(index, opened, now_ns);
  // HTTP/2 takes requests once the server's SETTINGS arrive (settle() after they do).
  if (conns_[index].generation == generation && conns_[index].session->can_take()) make_available(index);
}

// A connect or handshake that will not finish: off the connect list and closed; the caller
// decides whether and when to retry.
void Pump::abandon_connect(uint32_t index) {
  connect_timeouts_.remove(static_cast<int32_t>(index));
  --connecting_;
  close_conn(index);
}

// The connection can take another request: it is idle, or (--pipeline n) has fewer than n in flight.
void Pump::make_available(uint32_t index) {
  Conn& conn = conns_[index];
  if (conn.available) return;
  conn.available = true;
  ++idle_count_;
  if (!conn.in_idle_ring) {
    conn.in_idle_ring = true;
    idle_.push(index);
  }
}

void Pump::make_unavailable(uint32_t index) {
  Conn& conn = conns_[index];
  if (!conn.available) return;
  conn.available = false;  // its ring entry, if any, is skipped as stale
  --idle_count_;
}

// Only called while idle_count_ > 0, so an available connection is somewhere in the ring.
uint32_t Pump::take_idle() {
  for (;;) {
    const uint32_t index = idle_.pop();
    conns_[index].in_idle_ring = false;
    if (conns_[index].available) {
      conns_[index].available = false;
      --idle_count_;
      return index;
    }
  }
}

// With --pipeline n the request joins those already in flight on the connection. The connection
// stays available while its session can take more; the idle ring's order spreads requests over
// every connection before any carries two.
// resend: a refused HTTP/2 stream going out again, already counted as sent.
void Pump::send_request(uint32_t index, int name, uint64_t seq, uint64_t intended_ns, uint64_t now_ns, bool resend) {
  Conn& conn = conns_[index];
  Session& session = *conn.session;
  if (session.in_flight() == 0) {
    conn.state = ConnState::busy;
    timeouts_.push_back(static_cast<int32_t>(index), now_ns + plan_.timeout_ns);
  }
  ++busy_;
  recorder_.in_flight.set(busy_);
  Recorder& recorder = recorder_for(intended_ns);
  if (!resend) {
    recorder.sent.add();
    if (&recorder == &recorder_ && !recorder_.names.empty()) recorder_.names[static_cast<size_t>(name)]->sent.add();
    recorder.send_lag.record(now_ns - intended_ns);
  }
  const uint32_t generation = conn.generation;
  on_io(index, session.submit(conn.request, PendingRequest{intended_ns, now_ns, name, source_->head(name), seq}, *conn.stream), now_ns);
  if (conn.generation == generation && session.can_take()) make_available(index);
}

// Where a stream's write, flush or read left the connection.
void Pump::on_io(uint32_t index, const IoResult& result, uint64_t now_ns) {
  switch (result.io) {
    case Io::done:
      set_want_write(index, false);
      break;
    case Io::blocked:
      set_want_write(index, true);
      break;
    case Io::failed:
      fail(index, ErrorKind::write, result.err_no, now_ns);
      break;
    case Io::gone:
      break;
    case Io::queued:
      if (!conns_[index].queued) {
        conns_[index].queued = true;
        queued_.push_back(index);
      }
      break;
  }
}

// The frames each HTTP/2 session gathered this turn, one write per connection. A connection
// closed since it queued has dropped its frames (and its flag) with its session.
void Pump::send_queued(uint64_t now_ns) {
  for (const uint32_t index : queued_) {
    Conn& conn = conns_[index];
    if (!conn.queued) continue;
    conn.queued = false;
    on_io(index, conn.session->send_queued(*conn.stream), now_ns);
  }
  queued_.clear();
}

void Pump::on_read_error(uint32_t index, int err_no, uint64_t now_ns) {
  const Conn& conn = conns_[index];
  if (conn.state == ConnState::idle && conn.responses == 0) {
    back_off(index, err_no, now_ns);  // dropped before it served anything: the listener refused us
  } else {
    fail(index, ErrorKind::read, err_no, now_ns);
  }
}

void Pump::on_stream_error(uint32_t index, StreamError error, int err_no, uint64_t now_ns) {
  Conn& conn = conns_[index];
  if (error == StreamError::read) {
    on_read_error(index, err_no, now_ns);
  } else if (conn.responses == 0) {
    // Rejected before any response: the handshake failing late (TLS 1.3 ends the client's side
    // of the handshake before the server has checked a client certificate, so a rejected --cert
    // arrives here as an alert). Waits out the back-off like a failed handshake.
    conn.stream->record_rejection();
    recorder_.errors[static_cast<int>(ErrorKind::read)].add(conn.session->in_flight());
    close_conn(index);
    retry_later(index, now_ns);
  } else {
    fail(index, ErrorKind::read, 0, now_ns);
  }
}

void Pump::on_stream_eof(uint32_t index, uint64_t now_ns) {
  Conn& conn = conns_[index];
  if (conn.state == ConnState::busy) {
    Completion completion;
    if (conn.session->on_eof(&completion, now_ns)) {
      on_completion(index, completion, now_ns);
    } else {
      fail(index, ErrorKind::read, 0, now_ns);
    }
  } else if (conn.responses == 0) {
    back_off(index, ECONNRESET, now_ns);
  } else {
    close_conn(index);  // an idle keep-alive connection the server let go: not an error
    open(index, now_ns);
  }
}

// Protocol bytes (decrypted, for https) whose last byte reached the kernel at arrived_ns.
bool Pump::on_stream_bytes(uint32_t index, const char* data, size_t size, uint64_t arrived_ns, uint64_t now_ns) {
  recorder_.bytes_read.add(size);
  Session& session = *conns_[index].session;
  if (!session.receive(data, size, arrived_ns, now_ns, *this)) return false;
  if (session.ended() && session.in_flight() == 0) {
    // HTTP/2 GOAWAY, its streams answered: replaced, as a server's idle close is.
    close_conn(index);
    open(index, now_ns);
    return false;
  }
  settle(index);
  return true;
}

// After the server spoke: whether the connection takes requests follows its session (HTTP/2:
// the server's SETTINGS arrived, its stream limit, a GOAWAY).
void Pump::settle(uint32_t index) {
  if (conns_[index].session->can_take()) {
    make_available(index);
  } else {
    make_unavailable(index);
  }
  if (h2_pool_ != nullptr) {
    recorder_.h2.allocator_calls.set(h2_pool_->calls());
    recorder_.h2.system_allocations.set(h2_pool_->system_allocations());
  }
}

// A connection that breaks the protocol before carrying anything (HTTP/2 garbage right after the
// preface, bytes nobody asked for on a fresh connection) breaks the same way if reopened at once:
// it waits out the back-off, so such a server costs 20 connections a second, not a busy loop.
void Pump::on_session_error(uint32_t index, uint64_t now_ns) {
  const Conn& conn = conns_[index];
  if (conn.responses == 0 && conn.session->in_flight() == 0) {
    recorder_.record_error(ErrorKind::parse, 0);
    close_conn(index);
    retry_later(index, now_ns);
    return;
  }
  fail(index, ErrorKind::parse, 0, now_ns);
}

void Pump::on_response_bytes(uint32_t index, const char* data, size_t size) { capture(conns_[index], data, size); }

// completion.arrived_ns: when the response's last bytes reached the kernel (see receive()).
// False when the connection closed in answer.
bool Pump::on_completion(uint32_t index, const Completion& completion, uint64_t now_ns) {
  Conn& conn = conns_[index];
  --busy_;
  recorder_.in_flight.set(busy_);
  if (completion.outcome == Outcome::response) {
    record_response(conn, completion);
  } else if (completion.outcome == Outcome::refused && refused_size_ < refused_.size()) {
    refused_[(refused_first_ + refused_size_) % refused_.size()] = completion.request;
    ++refused_size_;
  } else {
    // An HTTP/2 stream the server reset, or one we reset after --timeout.
    recorder_.record_error(completion.outcome == Outcome::timeout ? ErrorKind::timeout : ErrorKind::read, 0);
    if (!recorder_.names.empty()) recorder_.names[static_cast<size_t>(completion.request.name)]->errors.add();
  }
  const uint32_t unanswered = conn.session->in_flight();
  // HTTP/2 keeps its deadline (the oldest stream's): on_timeout moves it on, where it fires.
  if (unanswered == 0 || !conn.session->times_requests()) timeouts_.remove(static_cast<int32_t>(index));
  if (!completion.keep_alive) {
    // Requests pipelined behind this response will never be answered on this connection.
    if (unanswered > 0) recorder_.errors[static_cast<int>(ErrorKind::read)].add(unanswered);
    close_conn(index);
    open(index, now_ns);
    return false;
  }
  if (unanswered == 0) {
    conn.state = ConnState::idle;
  } else if (!conn.session->times_requests()) {
    // Pipelined: the next response's timeout runs from now, since it cannot be answered before
    // the one ahead of it.
    timeouts_.push_back(static_cast<int32_t>(index), now_ns + plan_.timeout_ns);
  }
  if (conn.session->can_take()) make_available(index);
  return true;
}

// One answered request, timed from its own intended send time (and from its write).
void Pump::record_response(Conn& conn, const Completion& completion) {
  const uint64_t intended_ns = completion.request.intended_ns;
  const uint64_t written_ns = completion.request.written_ns;
  const uint64_t completed_ns = std::max(completion.arrived_ns, written_ns);
  Recorder& recorder = recorder_for(intended_ns);
  recorder.corrected.record(completed_ns - intended_ns);
  recorder.uncorrected.record(completed_ns - written_ns);
  recorder.completed.add();
  const int status = completion.status;
  recorder.status[status < kStatusCodes ? status : 0].add();
  if (completion.grpc != nullptr) record_grpc(&recorder.grpc, *completion.grpc, status);
  if (&recorder == &recorder_) intervals_.record(completed_ns - intended_ns, completed_ns - written_ns);
  if (tap_ != nullptr) tap_response(conn, status);
  if (&recorder == &recorder_ && !recorder_.names.empty()) {
    NameRecorder& by_name = *recorder_.names[static_cast<size_t>(completion.request.name)];
    by_name.corrected.record(completed_ns - intended_ns);
    by_name.completed.add();
    by_name.status[status < kStatusCodes ? status : 0].add();
  }
  const uint64_t second = completed_ns > measure_start_ns_ ? (completed_ns - measure_start_ns_) / 1000000000ull : 0;
  recorder.per_second[std::min(second, recorder.seconds - 1)].add();
  ++conn.responses;
}

// Response bytes as the parser consumed them, kept for the script's response() hook.
void Pump::capture(Conn& conn, const char* data, size_t size) {
  const size_t room = plan_.script.capture_limit - std::min(conn.captured.size(), plan_.script.capture_limit);
  if (size > room) conn.capture_truncated = true;
  const size_t keep = std::min(size, room);
  // Past the reserve, grow once to the limit rather than doubling a few times over one response.
  if (conn.captured.size() + keep > conn.captured.capacity()) conn.captured.reserve(plan_.script.capture_limit);
  conn.captured.insert(conn.captured.end(), data, data + keep);
}

// Hands a completed response to the JavaScript side, which calls response() in batches. A full
// ring drops it (counted): the pump never waits for a script.
void Pump::tap_response(Conn& conn, int status) {
  const uint32_t head = static_cast<uint32_t>(status);
  if (!tap_->push(&head, sizeof head, conn.captured.data(), conn.captured.size())) script_->responses_dropped.fetch_add(1, std::memory_order_relaxed);
  if (conn.capture_truncated) script_->responses_truncated.fetch_add(1, std::memory_order_relaxed);
  reset_capture(conn);
}

// A buffer grown for one large response goes back to its reserve: kept, every connection that
// ever saw one would hold up to the capture limit (256 KiB x 10k connections). The cost, one
// allocation, comes only with responses larger than the reserve, next to copying them.
void Pump::reset_capture(Conn& conn) {
  if (conn.captured.capacity() > kCaptureReserve) {
    std::vector<char>().swap(conn.captured);
    conn.captured.reserve(std::min(kCaptureReserve, plan_.script.capture_limit));
  }
  conn.captured.clear();
  conn.capture_truncated = false;
}

// HTTP/1.1: the connection times out. HTTP/2: each stream unanswered for --timeout is reset
// and counted, and the deadline moves to the oldest stream left, so a server that never answers
// one stream still serves the others on the same connection. The deadline may fire early (the
// stream it was set for was answered since): then nothing is overdue and it just moves on.
void Pump::on_timeout(uint32_t index, uint64_t now_ns) {
  Conn& conn = conns_[index];
  const uint32_t generation = conn.generation;
  const uint64_t overdue_ns = now_ns > plan_.timeout_ns ? now_ns - plan_.timeout_ns : 0;
  switch (conn.session->expire(overdue_ns, now_ns, *this)) {
    case Expiry::connection:
      fail(index, ErrorKind::timeout, 0, now_ns);
      return;
    case Expiry::gone:
      return;
    case Expiry::streams:
      break;
  }
  if (conn.generation != generation) return;
  on_io(index, IoResult{Io::queued, 0}, now_ns);  // the RST_STREAMs
  if (conn.state != ConnState::busy || conn.session->in_flight() == 0) return;
  timeouts_.remove(static_cast<int32_t>(index));
  timeouts_.insert(static_cast<int32_t>(index), conn.session->oldest_written_ns() + plan_.timeout_ns);
}

// A failure on an established connection: count it, drop the connection and its requests (each
// one counted), and open a fresh one straight away (as wrk does).
void Pump::fail(uint32_t index, ErrorKind kind, int err_no, uint64_t now_ns) {
  Conn& conn = conns_[index];
  if (conn.state == ConnState::connecting || conn.state == ConnState::handshaking) {
    abandon_connect(index);
    back_off(index, err_no, now_ns);
    return;
  }
  recorder_.record_error(kind, err_no);
  const Session& session = *conn.session;
  if (session.in_flight() > 1) recorder_.errors[static_cast<int>(kind)].add(session.in_flight() - 1);
  if (!recorder_.names.empty()) {
    for (uint32_t i = 0; i < session.in_flight(); ++i) recorder_.names[static_cast<size_t>(session.unanswered(i).name)]->errors.add();
  }
  close_conn(index);
  open(index, now_ns);
}

void Pump::back_off(uint32_t index, int err_no, uint64_t now_ns) {
  recorder_.record_error(ErrorKind::connect, err_no);
  retry_later(index, now_ns);
}

// Reopens the slot after the back-off delay, so a target that keeps failing is not hammered.
void Pump::retry_later(uint32_t index, uint64_t now_ns) {
  if (conns_[index].state != ConnState::closed) close_conn(index);
  conns_[index].state = ConnState::backoff;
  backoff_.push_back(static_cast<int32_t>(index), now_ns + kBackoffNs);
}

void Pump::close_conn(uint32_t index) {
  Conn& conn = conns_[index];
  switch (conn.state) {
    case ConnState::busy:
      timeouts_.remove(static_cast<int32_t>(index));
      busy_ -= conn.session->in_flight();
      recorder_.in_flight.set(busy_);
      --open_;
      break;
    case ConnState::idle:
      --open_;
      break;
    case ConnState::connecting:
    case ConnState::handshaking:
      break;  // the caller already took it off the deadline list
    case ConnState::backoff:
      backoff_.remove(static_cast<int32_t>(index));
      break;
    case ConnState::closed:
      break;
  }
  if (conn.available) {
    conn.available = false;
    --idle_count_;
  }
  conn.session->clear();
  conn.queued = false;
  if (tap_ != nullptr) reset_capture(conn);
  conn.stream->close();
  recorder_.connections_open.set(open_);
  if (conn.fd >= 0) close(conn.fd);
  conn.fd = -1;
  conn.state = ConnState::closed;
  conn.want_write = false;
  ++conn.generation;
}

void Pump::set_want_write(uint32_t index, bool want_write) {
  Conn& conn = conns_[index];
  if (conn.want_write == want_write) return;
  conn.want_write = want_write;
  poller_.modify(conn.fd, token(index), want_write);
}

}  // namespace ratetest
