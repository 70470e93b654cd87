// pump.h: one thread's request pump. Owns its connections, poller, schedule and recorder; shares
// nothing with other pumps but the start gate and the stop flag (both touched once per loop turn
// at most).
//
// The hot path, in the order a request travels:
//   dispatch_due    -> send_request   (due request onto an idle connection)
//   on_writable     -> finish a write that did not fit the socket buffer
//   on_readable     -> on_bytes -> on_response (record latencies, connection back to idle)
//   expire_deadlines -> on_timeout / reopen after back-off
// https adds, per connection: on_connected -> start_handshake -> drive_handshake (poller-driven)
// -> connected; then on_readable decrypts (on_tls_readable) and writes go through flush_tls.
// --http2 (pump_h2.cc) adds, per connection: h2_open (preface, SETTINGS) -> h2_submit (a stream
// per request) -> h2_on_bytes (feed the session; ended streams -> record_response) -> h2_settle;
// streams a GOAWAY refused wait in refused_ and go out again first (resend_refused).
#pragma once
#include <sys/socket.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "clock.h"
#include "conn.h"
#include "h2_pool.h"
#include "h2_request.h"
#include "h2_session.h"
#include "plan.h"
#include "poller.h"
#include "recorder.h"
#include "request_source.h"
#include "schedule.h"
#include "script_channels.h"
#include "tls.h"

namespace ratetest {

// Lets every pump finish opening its connections before the shared schedule starts, so connect
// time is not charged to the first requests' latency.
struct StartGate {
  explicit StartGate(uint32_t pumps) : waiting(pumps) {}
  std::atomic<uint32_t> waiting;
  std::atomic<uint64_t> start_ns{0};
};

class Pump {
 public:
  static constexpr size_t kReadBufferBytes = 64 * 1024;
  // The most of a script's first request each connection's buffer is presized for (see Pump()).
  static constexpr size_t kRequestBufferPresizeBytes = 16 * 1024;
#ifdef MSG_NOSIGNAL
  static constexpr int kSendFlags = MSG_NOSIGNAL;
#else
  static constexpr int kSendFlags = 0;  // SO_NOSIGPIPE is set on the socket instead
#endif

  // tls: the run's context for https, else nullptr.
  // script: the channels of a script run (-s), else nullptr.
  Pump(const RunPlan& plan, uint32_t index, StartGate* gate, const std::atomic<bool>* stop, const TlsContext* tls,
       ScriptChannels* script);

  void run();  // the thread's body
  void wake() { poller_.wake(); }
  Recorder& recorder() { return recorder_; }
  // The --warmup period's own counts, kept apart from the results.
  Recorder& warmup_recorder() { return warmup_; }
  // Safe from any thread: the gate's start time is atomic.
  uint64_t start_ns() const { return gate_->start_ns.load(std::memory_order_relaxed); }
  // Only after the pump's thread has been joined:
  uint64_t end_ns() const { return measured_end_ns_; }
  bool stopped_early() const { return stopped_early_; }
  int init_error() const { return poller_.init_error(); }

 private:
  enum class Phase { connecting, running, draining };

  void loop(Phase phase, uint64_t until_ns);
  bool phase_done(Phase phase, uint64_t now_ns, uint64_t until_ns) const;
  uint64_t next_deadline_ns(uint64_t until_ns) const;
  uint64_t next_wake_ns(Phase phase, uint64_t now_ns, uint64_t until_ns) const;
  int wait_batched(uint64_t now_ns, uint64_t until_ns);
  bool waiting_for_connection(uint64_t now_ns) const;
  uint64_t next_send_ns() const;
  void handle_events(int count, uint64_t now_ns);
  void expire_deadlines(uint64_t now_ns);
  void dispatch_due(uint64_t now_ns);
  bool send_next(uint64_t intended_ns, uint64_t now_ns);

  void open(uint32_t index, uint64_t now_ns);
  void on_connected(uint32_t index, uint64_t now_ns);
  void finish_connect(uint32_t index, uint64_t now_ns);
  void abandon_connect(uint32_t index);
  void send_request(uint32_t index, int name, uint64_t intended_ns, uint64_t now_ns);
  void track_request(uint32_t index, int name, uint64_t intended_ns, uint64_t now_ns);
  void on_writable(uint32_t index, uint64_t now_ns);
  void send_plain(uint32_t index, uint64_t now_ns);
  void flush_plain(uint32_t index, uint64_t now_ns);
  void on_readable(uint32_t index, uint64_t now_ns);
  void on_bytes(uint32_t index, const char* data, size_t length, uint64_t arrived_ns, uint64_t now_ns);
  void on_eof(uint32_t index, uint64_t now_ns);
  void on_read_error(uint32_t index, int err_no, uint64_t now_ns);
  void on_response(uint32_t index, uint64_t completed_ns, uint64_t now_ns);
  void record_response(const InFlight::Slot& request, int status, uint64_t completed_ns);
  void capture(Conn& conn, const char* data, size_t size);
  void tap_response(Conn& conn, int status);
  void reset_capture(Conn& conn);
  void on_timeout(uint32_t index, uint64_t now_ns);
  void fail(uint32_t index, ErrorKind kind, int err_no, uint64_t now_ns);
  void back_off(uint32_t index, int err_no, uint64_t now_ns);
  void retry_later(uint32_t index, uint64_t now_ns);
  void close_conn(uint32_t index);
  void set_want_write(uint32_t index, bool want_write);
  void make_idle(uint32_t index);
  void make_available(uint32_t index);
  void make_unavailable(uint32_t index);
  uint32_t take_idle();
  uint64_t token(uint32_t index) const;
  bool schedule_exhausted() const { return next_request_ >= request_limit_; }
  void grow_connections(uint64_t now_ns);
  // Measured requests go to recorder_, those intended before the warm-up ended to warmup_.
  Recorder& recorder_for(uint64_t intended_ns) { return intended_ns < measure_start_ns_ ? warmup_ : recorder_; }

  // https (tls.h): the handshake, then every read and write through the connection's TlsConn.
  void start_handshake(uint32_t index, uint64_t now_ns);
  void drive_handshake(uint32_t index, uint64_t now_ns);
  void on_tls_readable(uint32_t index, uint64_t now_ns);
  bool flush_tls(uint32_t index, uint64_t now_ns);
  void record_tls_error(uint32_t index, TlsFailure kind, const char* fallback);
  void handshake_failed(uint32_t index, TlsFailure kind, const char* fallback, uint64_t now_ns);

  // --http2 (pump_h2.cc): the connection's session over its socket or its TLS BIOs.
  void h2_open(uint32_t index, uint64_t now_ns);
  void h2_submit(uint32_t index, uint64_t seq, uint64_t now_ns);
  bool h2_flush(uint32_t index, uint64_t now_ns);
  void h2_on_bytes(uint32_t index, const char* data, size_t length, uint64_t arrived_ns, uint64_t now_ns);
  void h2_take_ends(uint32_t index, uint64_t completed_ns, uint64_t now_ns);
  void h2_settle(uint32_t index, uint64_t now_ns);
  void h2_failed(uint32_t index, uint64_t now_ns);
  void resend_refused(uint64_t now_ns);

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
  ClockOffset clock_offset_;
  Schedule schedule_;
  Recorder recorder_;
  std::unique_ptr<RequestSource> source_;
  Recorder warmup_;
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
  std::unique_ptr<InFlight::Slot[]> in_flight_slots_;  // every connection's InFlight storage

  const TlsContext* tls_context_;  // nullptr for http
  std::unique_ptr<TlsConn[]> tls_;  // one per connection slot (https only)
  std::unique_ptr<char[]> plain_buffer_;  // decrypted bytes (https only)

  // --http2 only. A stream refused by a GOAWAY keeps its intended time and its request number,
  // so the request is rebuilt and its wait shows in its latency.
  struct Refused {
    uint64_t intended_ns;
    uint64_t seq;
  };
  std::unique_ptr<H2Pool> h2_pool_;
  std::unique_ptr<H2Session[]> h2_;  // one per connection slot; nullptr for HTTP/1.1
  H2Request h2_request_;             // the request being converted, reused
  std::vector<Refused> refused_;     // ring, capacity = every stream slot of the pump
  size_t refused_first_ = 0;
  size_t refused_size_ = 0;
};

}  // namespace ratetest
