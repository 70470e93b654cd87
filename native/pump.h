// pump.h: one thread's request pump. Owns its connections, poller, schedule and recorder; shares
// nothing with other pumps but the start gate and the stop flag (both touched once per loop turn
// at most).
//
// The hot path, in the order a request travels:
//   dispatch_due    -> send_request   (due request onto an idle connection)
//   send_queued     -> HTTP/2: each connection's streams of this turn in one write
//   on_writable     -> finish a write that did not fit the socket buffer
//   on_readable     -> the connection's ByteStream reads -> on_stream_bytes -> its Session frames
//                   -> on_completion (record latencies, connection back to idle)
//   expire_deadlines -> on_timeout / reopen after back-off
//   wait_batched (a fixed rate) / wait_gathered (closed loop over HTTP/2): one wake-up per window
// --io-engine io_uring (plain HTTP/1.1): wait_io enters the ring instead of waiting on the poller,
// and handle_completions hands each completion (a send, or received bytes with their kernel
// stamp) to its connection's RingStream; connecting still goes through the poller, whose epoll
// set the ring polls.
// Opening: open -> on_connected -> ByteStream::begin -> on_open (a TLS handshake runs through
// on_open_io on the poller's events until it is ready). transport.h draws the layers.
// --http2: the Session is HTTP/2 (session_h2.cc); streams a GOAWAY refused wait in refused_ and
// go out again first (resend_refused), each with its own intended time.
#pragma once
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "clock.h"
#include "conn.h"
#include "h2_pool.h"
#include "h2_request.h"
#include "interval_recorder.h"
#include "plan.h"
#include "poller.h"
#include "recorder.h"
#include "request_source.h"
#include "ring.h"
#include "schedule.h"
#include "script_channels.h"
#include "tls.h"
#include "transport.h"

namespace ratetest {

// Lets every pump finish opening its connections before the shared schedule starts, so connect
// time is not charged to the first requests' latency.
struct StartGate {
  explicit StartGate(uint32_t pumps) : waiting(pumps) {}
  // The last pump ready opens the gate: at `ready_ns`, or at the plan's --start-at instant when
  // that is later. Ready after the instant, the run starts at once and records how late it is.
  void open(uint64_t ready_ns, uint64_t start_at_ns) {
    late_ns.store(start_at_ns != 0 && ready_ns > start_at_ns ? ready_ns - start_at_ns : 0);
    start_ns.store(std::max(ready_ns, start_at_ns));
  }
  std::atomic<uint32_t> waiting;
  std::atomic<uint64_t> start_ns{0};
  std::atomic<uint64_t> late_ns{0};
};

class Pump final : public StreamEvents, public CompletionSink {
 public:
  static constexpr size_t kReadBufferBytes = 64 * 1024;
  // The most of a script's first request each connection's buffer is presized for (see Pump()).
  static constexpr size_t kRequestBufferPresizeBytes = 16 * 1024;

  // tls: the run's context for https, else nullptr.
  // script: the channels of a script run (-s), else nullptr.
  Pump(const RunPlan& plan, uint32_t index, StartGate* gate, const std::atomic<bool>* stop, const TlsContext* tls,
       ScriptChannels* script);

  void run();  // the thread's body
  void wake() { poller_.wake(); }
  Recorder& recorder() { return recorder_; }
  // The --warmup period's own counts, kept apart from the results.
  Recorder& warmup_recorder() { return warmup_; }
  // The run cut into --interval pieces: the JS thread drains it while the pump runs.
  IntervalRecorder& intervals() { return intervals_; }
  // Safe from any thread: the gate's start time is atomic.
  uint64_t start_ns() const { return gate_->start_ns.load(std::memory_order_relaxed); }
  // How late the gate opened after the plan's --start-at instant (0 without one).
  uint64_t late_ns() const { return gate_->late_ns.load(std::memory_order_relaxed); }
  // Only after the pump's thread has been joined:
  uint64_t end_ns() const { return measured_end_ns_; }
  bool stopped_early() const { return stopped_early_; }
  // 0 when the pump is ready, else the errno of the set-up step init_step() names.
  int init_error() const { return poller_.init_error() != 0 ? poller_.init_error() : ring_error_; }
  const char* init_step() const { return poller_.init_error() != 0 ? "a poller" : ring_step_; }

 private:
  enum class Phase { connecting, running, draining };

  void loop(Phase phase, uint64_t until_ns);
  bool phase_done(Phase phase, uint64_t now_ns, uint64_t until_ns) const;
  uint64_t next_deadline_ns(uint64_t until_ns) const;
  uint64_t next_wake_ns(Phase phase, uint64_t now_ns, uint64_t until_ns) const;
  int wait_batched(uint64_t now_ns, uint64_t until_ns);
  bool gathers() const { return plan_.closed_loop && plan_.http2 && plan_.batch_ns > 0; }
  int wait_gathered(uint64_t now_ns, uint64_t until_ns);
  void adapt_gather(uint32_t in_flight, uint32_t answered);
  bool waiting_for_connection(uint64_t now_ns) const;
  uint64_t next_send_ns() const;
  int wait_io(uint64_t deadline_ns, uint64_t now_ns);
  void handle_events(int count, uint64_t now_ns);
  void handle_completions(uint64_t now_ns);
  void expire_deadlines(uint64_t now_ns);
  void dispatch_due(uint64_t now_ns);
  void count_warmup_due();
  uint64_t due_through(uint64_t t_ns);
  void close_intervals(uint64_t now_ns);
  void finish_intervals(uint64_t now_ns);
  bool send_next(uint64_t intended_ns, uint64_t now_ns);

  void open(uint32_t index, uint64_t now_ns);
  void on_connected(uint32_t index, uint64_t now_ns);
  void on_open(uint32_t index, const OpenResult& result, uint64_t now_ns);
  void finish_connect(uint32_t index, bool want_write, uint64_t now_ns);
  void abandon_connect(uint32_t index);
  void send_request(uint32_t index, int name, uint64_t seq, uint64_t intended_ns, uint64_t now_ns, bool resend);
  void resend_refused(uint64_t now_ns);
  void settle(uint32_t index);
  void on_io(uint32_t index, const IoResult& result, uint64_t now_ns);
  void send_queued(uint64_t now_ns);
  void record_response(Conn& conn, const Completion& completion);
  void on_read_error(uint32_t index, int err_no, uint64_t now_ns);
  void capture(Conn& conn, const char* data, size_t size);
  void tap_response(Conn& conn, int status);
  void reset_capture(Conn& conn);
  void on_timeout(uint32_t index, uint64_t now_ns);
  void fail(uint32_t index, ErrorKind kind, int err_no, uint64_t now_ns);
  void back_off(uint32_t index, int err_no, uint64_t now_ns);
  void retry_later(uint32_t index, uint64_t now_ns);
  void close_conn(uint32_t index);
  void set_want_write(uint32_t index, bool want_write);
  void make_available(uint32_t index);
  void make_unavailable(uint32_t index);
  uint32_t take_idle();
  uint64_t token(uint32_t index) const;
  bool schedule_exhausted() const { return next_request_ >= request_limit_; }
  void grow_connections(uint64_t now_ns);
  // Measured requests go to recorder_, those intended before the warm-up ended to warmup_.
  Recorder& recorder_for(uint64_t intended_ns) { return intended_ns < measure_start_ns_ ? warmup_ : recorder_; }

  // What a connection's ByteStream reports while reading (transport.h).
  bool on_stream_bytes(uint32_t index, const char* data, size_t size, uint64_t arrived_ns, uint64_t now_ns) override;
  void on_stream_eof(uint32_t index, uint64_t now_ns) override;
  void on_stream_error(uint32_t index, StreamError error, int err_no, uint64_t now_ns) override;
  // What a connection's Session reports (transport.h).
  bool on_completion(uint32_t index, const Completion& completion, uint64_t now_ns) override;
  void on_response_bytes(uint32_t index, const char* data, size_t size) override;
  void on_session_error(uint32_t index, uint64_t now_ns) override;

  const RunPlan& plan_;
  const uint32_t index_;
  StartGate* gate_;
  const std::atomic<bool>* stop_;
  ScriptChannels* script_;  // nullptr unless a script run
  ByteRing* tap_;           // the script's response ring when it has a response() hook
  const RunPlan::Address address_;  // where this pump connects
  uint32_t connection_count_;  // connection slots in use; grows up to max_connections_
  const uint32_t max_connections_;
  const uint64_t request_limit_;  // this pump's share of -n, or no limit

  Poller poller_;
#ifdef __linux__
  std::unique_ptr<Ring> ring_;  // --io-engine io_uring, else nullptr
#endif
  int ring_error_ = 0;
  const char* ring_step_ = "";
  ClockOffset clock_offset_;
  Schedule schedule_;
  Recorder recorder_;
  std::unique_ptr<RequestSource> source_;
  Recorder warmup_;
  IntervalRecorder intervals_;
  bool interval_ring_full_ = false;  // the last close found no room: the next one covers every ended interval
  std::vector<Conn> conns_;
  DeadlineList timeouts_;  // busy connections, deadline = write (or last response) + timeout
  DeadlineList connect_timeouts_;  // connecting and handshaking, deadline = start + connect timeout
  DeadlineList backoff_;   // closed after a failed connect, deadline = failure + back-off
  IdleRing idle_;

  uint64_t end_ns_ = 0;
  uint64_t measure_start_ns_ = 0;
  uint64_t warmup_due_ = 0;  // requests the warm-up scheduled, counted when it ended
  bool warmup_counted_ = false;
  uint64_t last_wake_ns_ = 0;
  uint64_t gather_ns_ = 0;  // closed loop over HTTP/2: the least time between turns (wait_gathered)
  uint64_t measured_end_ns_ = 0;
  bool stopped_early_ = false;
  uint64_t next_request_ = 0;  // this pump's next request number not yet written
  uint64_t queued_upto_ = 0;   // requests up to here already counted as queued
  uint64_t source_retry_ns_ = 0;  // the source had no request ready; ask again at this time
  uint32_t connecting_ = 0;
  uint32_t open_ = 0;
  uint32_t busy_ = 0;
  uint32_t idle_count_ = 0;  // connections in the idle state (the ring may also hold stale entries)

  std::unique_ptr<char[]> read_buffer_;
  std::unique_ptr<PollEvent[]> events_;
  std::unique_ptr<char[]> plain_buffer_;  // decrypted bytes (https only)
  std::unique_ptr<PendingRequest[]> in_flight_slots_;  // every connection's in-flight storage

  // --http2 only. A stream a GOAWAY refused keeps its intended time and request number, so the
  // request is rebuilt and sent again, its wait counted in its latency. A ring sized for every
  // stream slot of the pump, so it never grows.
  std::unique_ptr<H2Pool> h2_pool_;
  std::unique_ptr<char[]> h2_frames_;  // one turn's frames of a connection, gathered for one write
  std::vector<uint32_t> queued_;       // connections whose sessions hold frames (Io::queued)
  std::unique_ptr<H2Request> h2_scratch_;
  std::vector<PendingRequest> refused_;
  size_t refused_first_ = 0;
  size_t refused_size_ = 0;
};

}  // namespace ratetest
