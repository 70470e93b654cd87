// transport.h: the seam between the pump and the bytes on a connection. Declares the two layers a
// connection is built from, each chosen once per connection slot when the pump is built, so the
// hot path calls through them and never asks "is this TLS?". Owns no I/O itself.
//
//   pump (pump.cc): schedule, deadlines, idle ring, recording
//     │ submit(request bytes, PendingRequest)        ▲ on_completion(Completion) / on_session_error(kind)
//     ▼                                              │ on_response_bytes (script response() hook only)
//   Session: protocol framing, one per connection
//     http1 (session_http1.cc: ResponseParser, in-order FIFO, --pipeline)  |  h2 (later: streams)
//     │ write(bytes) / flush()                       ▲ on_stream_bytes(data, arrived_ns) / eof / error
//     ▼                                              │ (the pump routes them to the connection's Session)
//   ByteStream: the connection's byte pipe, one per connection
//     tcp (transport_plain.cc: send/recv)  |  tls (transport_tls.cc: OpenSSL memory BIOs)
//     │                                              ▲ receive(): kernel receive timestamp (conn.h)
//     ▼ socket fd, registered with the pump's poller │
//
// The HTTP/2 session (session_h2.cc, over h2_session.h) plugs in here:
//   - Implement Session: submit() frames the request (HEADERS, DATA) and writes it to the
//     ByteStream it is handed; receive() takes every byte the stream read (nghttp2 mem_recv) and
//     calls sink.on_completion() once per finished stream, in any order.
//   - A Completion carries the PendingRequest that submit() was given (its intended and written
//     times and name): the pump times each completion from its own intended send time, so
//     multiplexing changes nothing in what "corrected" means. arrived_ns is the kernel receive
//     time of the read whose bytes finished the stream: pass on the one receive() was called with.
//   - can_take() says whether another request may go now (below the peer's concurrent-stream
//     limit); in_flight() and unanswered(i) let the pump count and fail what is outstanding.
//   - A stream the server reset completes with Outcome::reset (a read error); one a GOAWAY refused
//     (above last-stream-id, or REFUSED_STREAM) with Outcome::refused: the pump sends it again
//     with its intended time. ended() (GOAWAY) makes the pump replace the connection once
//     nothing is in flight.
//   - Frames the session itself must send (SETTINGS ack, WINDOW_UPDATE, PING ack) go through
//     the same ByteStream::write(); return its IoResult from receive().
//   - The ByteStream layer needs nothing new: plain TCP and TLS carry h2 as they carry HTTP/1.1
//     (TLS offers ALPN from the run's TlsContext).
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>

#include "clock.h"
#include "in_flight.h"
#include "recorder.h"
#include "request_bytes.h"

namespace ratetest {

class TlsContext;
class H2Pool;
class Ring;
struct RingEvent;
struct H2Request;
struct GrpcResponse;

// How far a connection's opening got (TCP connected -> handshake, if any, -> ready).
enum class OpenStep : uint8_t {
  ready,    // requests may go
  want_io,  // a handshake is under way; call ByteStream::on_open_io on the connection's next event
  refused,  // the peer or the socket failed us: a connect error (err_no), retried after back-off
  failed,   // the stream counted its own failure (a TLS handshake error); retried after back-off
};

struct OpenResult {
  OpenStep step;
  bool want_write;  // bytes wait for the socket to turn writable
  bool buffered;    // ready, and bytes that came with the handshake's last flight wait: call drain()
  int err_no;       // for refused; 0 when the stream has no errno to give
};

// Where a write (or a read's own output, a TLS key update) left the connection.
enum class Io : uint8_t {
  done,     // nothing waits to be written
  blocked,  // bytes wait for the socket to turn writable
  failed,   // the connection is broken: a write error (err_no)
  gone,     // an event handler closed the connection mid-read: touch nothing of it
  queued,   // HTTP/2: framed and held by the session until the pump's turn ends (send_queued())
};

struct IoResult {
  Io io;
  int err_no;
};

// Why a stream stopped reading, beyond end of stream.
enum class StreamError : uint8_t {
  read,      // the socket read failed (err_no)
  rejected,  // TLS: an alert or a bad record; before any response it is the peer rejecting us
};

// What a byte stream reports while reading: the pump, which hands the bytes to the connection's
// Session. Calls carry the connection's slot index.
class StreamEvents {
 public:
  // Protocol bytes (decrypted for TLS) whose last byte reached the kernel at arrived_ns. False
  // when the connection was closed under the call: the stream must stop and return Io::gone.
  virtual bool on_stream_bytes(uint32_t conn, const char* data, size_t size, uint64_t arrived_ns, uint64_t now_ns) = 0;
  virtual void on_stream_eof(uint32_t conn, uint64_t now_ns) = 0;
  virtual void on_stream_error(uint32_t conn, StreamError error, int err_no, uint64_t now_ns) = 0;

 protected:
  ~StreamEvents() = default;
};

// One connection slot's byte pipe. The object lives as long as the pump and serves each TCP
// connection the slot opens in turn (so TLS can resume the slot's last session).
class ByteStream {
 public:
  virtual ~ByteStream() = default;
  // The non-blocking connect on fd finished: begin whatever comes before requests.
  virtual OpenResult begin(int fd, uint64_t now_ns) = 0;
  // The poller reported fd while opening (OpenStep::want_io).
  virtual OpenResult on_open_io(bool readable, bool writable, uint64_t now_ns) = 0;
  // Bytes for the peer: sent at once as far as the socket takes them, the rest queued in order.
  virtual IoResult write(const char* data, size_t size) = 0;
  // The socket turned writable: send what is queued.
  virtual IoResult flush() = 0;
  // The socket is readable: read what arrived and report it to events. Returns Io::gone if an
  // event closed the connection, else where the connection's writing stands.
  virtual IoResult read(StreamEvents& events, uint64_t now_ns) = 0;
  // Reports bytes already read from the socket but not yet delivered (OpenResult::buffered).
  virtual IoResult drain(StreamEvents& events, uint64_t now_ns) = 0;
  // TLS: record a rejection after the stream opened as a handshake error (TLS 1.3 sends a refused
  // client certificate's alert after the client's side of the handshake is done).
  virtual void record_rejection() = 0;
  // The connection ends (the pump closes fd): a best-effort goodbye, then forget it.
  virtual void close() = 0;
  // --io-engine io_uring: a completion of one of this stream's ring operations (a send, or a
  // receive's bytes with their kernel timestamp). Returns Io::gone when it belongs to an earlier
  // connection of the slot or an event closed the connection.
  virtual IoResult complete(const RingEvent&, StreamEvents&, uint64_t) { return IoResult{Io::gone, 0}; }
};

// The pump's view of each request in flight: what a Completion hands back.
using PendingRequest = InFlight::Slot;

// How a request ended: answered, or (HTTP/2) its stream reset, or refused and safe to send again,
// or unanswered for --timeout and reset by us.
enum class Outcome : uint8_t { response, reset, refused, timeout };

// What a connection's --timeout deadline came to.
enum class Expiry : uint8_t {
  connection,  // the connection timed out as a whole: the pump fails it
  streams,     // HTTP/2: the overdue streams were reset and reported; the connection goes on
  gone,        // the pump closed the connection in answer to a report
};

struct Completion {
  PendingRequest request;  // as submit() was given it
  int status;              // HTTP status code
  uint64_t arrived_ns;     // kernel receive time of the read that completed it
  bool keep_alive;         // false: the connection ends after this response
  Outcome outcome = Outcome::response;
  const GrpcResponse* grpc = nullptr;  // a gRPC run's call, valid during on_completion()
};

// Where a session reports completions: the pump.
class CompletionSink {
 public:
  // False when the pump closed the connection in answer: the session must stop at once.
  virtual bool on_completion(uint32_t conn, const Completion& completion, uint64_t now_ns) = 0;
  // The response bytes the session consumed, as they came (only when capture is on).
  virtual void on_response_bytes(uint32_t conn, const char* data, size_t size) = 0;
  // Bytes that cannot be framed (or nobody asked for): the pump fails the connection.
  virtual void on_session_error(uint32_t conn, uint64_t now_ns) = 0;

 protected:
  ~CompletionSink() = default;
};

// One connection slot's protocol. Reset for each TCP connection.
class Session {
 public:
  virtual ~Session() = default;
  // A fresh connection, or the end of one: forget every request in flight.
  virtual void clear() = 0;
  virtual uint32_t in_flight() const = 0;
  // i-th unanswered request, i < in_flight(), oldest first.
  virtual const PendingRequest& unanswered(uint32_t i) const = 0;
  // Another request may go on this connection now.
  virtual bool can_take() const = 0;
  // The connection is open: what the protocol says first (HTTP/2: preface and SETTINGS).
  virtual IoResult open(ByteStream&) { return IoResult{Io::done, 0}; }
  // The peer takes no more requests here (HTTP/2 GOAWAY): replace the connection once nothing
  // is in flight.
  virtual bool ended() const { return false; }
  // Frames bytes (HTTP/1.1: as they are) and writes them to stream, or (Io::queued) holds them
  // for send_queued().
  virtual IoResult submit(const RequestBytes& bytes, const PendingRequest& request, ByteStream& stream) = 0;
  // Writes what submit() queued. The pump calls it once per turn for each connection that
  // queued, so the streams of one turn share one write (one send(), one TLS record).
  virtual IoResult send_queued(ByteStream&) { return IoResult{Io::done, 0}; }
  // Bytes the stream read; calls sink once per completed response. False when the connection
  // was closed under it (by the sink).
  virtual bool receive(const char* data, size_t size, uint64_t arrived_ns, uint64_t now_ns, CompletionSink& sink) = 0;
  // The peer closed: a response delimited by the close completes, with *out filled in.
  virtual bool on_eof(Completion* out, uint64_t now_ns) = 0;
  // The connection's deadline passed: requests written at or before `written_ns` are overdue.
  // HTTP/1.1 answers in order, so the connection times out as a whole; HTTP/2 resets each
  // overdue stream (reported as Outcome::timeout, its RST_STREAM queued: Io::queued).
  virtual Expiry expire(uint64_t, uint64_t, CompletionSink&) { return Expiry::connection; }
  // Whether each request times out on its own (HTTP/2). Then the deadline runs from
  // oldest_written_ns(), not from the last response.
  virtual bool times_requests() const { return false; }
  virtual uint64_t oldest_written_ns() const { return 0; }
};

// What every byte stream of one pump shares. The read buffers are the pump's: a stream uses them
// only inside read()/drain()/on_open_io(), so one pair serves every connection.
struct StreamShared {
  const TlsContext* tls;     // the run's context for https, else nullptr
  Recorder* recorder;        // bytes written; TLS handshake figures and errors
  const ClockOffset* clock;  // for receive()'s kernel timestamps
  char* read_buffer;         // what the socket gave (ciphertext for TLS)
  char* plain_buffer;        // TLS only: decrypted bytes
  size_t buffer_size;        // of each buffer
  Ring* ring;                // --io-engine io_uring: the pump's ring (plain TCP only), else nullptr
};

// For ByteStream implementations: reads what arrived on fd into shared.read_buffer. Returns the
// byte count; 0 when nothing was waiting; -1 after reporting end of stream or a read error to
// events (the connection is gone).
long read_socket(int fd, uint32_t conn, const StreamShared& shared, StreamEvents& events, uint64_t now_ns, uint64_t* arrived_ns);

// The byte stream for one connection slot, chosen once: TLS when the run has a context, plain
// TCP over the ring with --io-engine io_uring, else plain TCP. queue_reserve: bytes a plain
// stream reserves for writes the socket does not take (the ring's: for its copies of writes).
std::unique_ptr<ByteStream> make_byte_stream(uint32_t conn, const StreamShared& shared, size_t queue_reserve);
std::unique_ptr<ByteStream> make_plain_stream(uint32_t conn, const StreamShared& shared, size_t queue_reserve);
std::unique_ptr<ByteStream> make_ring_stream(uint32_t conn, const StreamShared& shared, size_t queue_reserve);  // Linux only
std::unique_ptr<ByteStream> make_tls_stream(uint32_t conn, const StreamShared& shared);
// The HTTP/1.1 session: `storage` holds `pipeline` in-flight requests and is owned by the caller.
// capture: hand every consumed response byte to CompletionSink::on_response_bytes.
std::unique_ptr<Session> make_http1_session(uint32_t conn, PendingRequest* storage, uint32_t pipeline, bool capture);

// What every HTTP/2 session of one pump shares: the pool nghttp2 allocates from, the counters,
// the request being converted, and the fields a request may leave to us.
struct H2Shared {
  H2Pool* pool;
  H2Counters* counters;
  H2Request* scratch;
  const char* scheme;     // "http" or "https"
  const char* authority;  // :authority when a request has no Host field
  bool grpc;              // every stream is a gRPC call: its status and framing are read
  char* frames;           // where a session gathers nghttp2's frames into one write
  size_t frames_size;
  size_t capture_limit;   // a script's response() hook: response bytes kept per stream (0: none)
};

// The HTTP/2 session (nghttp2) over `stream`: up to `streams` requests in flight at once.
// body_reserve: request body bytes each stream slot reserves before the run.
std::unique_ptr<Session> make_h2_session(uint32_t conn, ByteStream* stream, const H2Shared& shared, uint32_t streams, size_t body_reserve);

}  // namespace ratetest
