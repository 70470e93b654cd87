// transport_ring.cc: the plain TCP byte stream over the pump's io_uring (--io-engine io_uring,
// Linux only). Writes become IORING_OP_SEND operations, reads one multishot recvmsg per
// connection, armed once connected; the pump hands each completion to complete(). Hot path: no
// allocation once a connection's write buffers have their reserve, no N-API.
#ifdef __linux__
#include <errno.h>

#include <algorithm>
#include <vector>

#include "conn.h"
#include "ring.h"
#include "transport.h"

namespace ratetest {
namespace {

class RingStream final : public ByteStream {
 public:
  RingStream(uint32_t conn, const StreamShared& shared, size_t queue_reserve) : conn_(conn), shared_(shared), ring_(shared.ring) {
    sending_.reserve(queue_reserve);
    waiting_.reserve(queue_reserve);
  }

  OpenResult begin(int fd, uint64_t) override {
    fd_ = fd;
    ring_->receive(fd_, conn_, generation_);
    return OpenResult{OpenStep::ready, false, false, 0};
  }

  OpenResult on_open_io(bool, bool, uint64_t) override { return OpenResult{OpenStep::ready, false, false, 0}; }

  // The kernel reads a send's bytes when it runs the operation, so they are copied here and
  // stay put until its completion. One send at a time per connection, in order: writes made
  // meanwhile (--pipeline) gather behind it and go as one send when it completes.
  //
  //   sending_ [ in the kernel's hands ]     waiting_ [ next send ... ]
  IoResult write(const char* data, size_t size) override {
    if (in_flight_) {
      waiting_.insert(waiting_.end(), data, data + size);
    } else {
      sending_.assign(data, data + size);
      start_send(0);
    }
    return IoResult{Io::done, 0};
  }

  // The ring finishes its own writes: the poller never reports this stream writable or readable.
  IoResult flush() override { return IoResult{Io::done, 0}; }
  IoResult read(StreamEvents&, uint64_t) override { return IoResult{Io::done, 0}; }
  IoResult drain(StreamEvents&, uint64_t) override { return IoResult{Io::done, 0}; }
  void record_rejection() override {}

  IoResult complete(const RingEvent& event, StreamEvents& events, uint64_t now_ns) override {
    if (fd_ < 0 || event.generation != Ring::generation_bits(generation_)) return IoResult{Io::gone, 0};  // an earlier connection's
    return event.op == RingOp::send ? sent(event) : received(event, events, now_ns);
  }

  void close() override {
    // While fd is open: the armed receive holds the socket, which would otherwise stay open.
    if (fd_ >= 0) ring_->cancel(fd_);
    fd_ = -1;
    ++generation_;
    in_flight_ = false;
    sending_.clear();
    waiting_.clear();
  }

 private:
  void start_send(size_t from) {
    in_flight_ = true;
    sent_ = from;
    ring_->send(fd_, sending_.data() + from, sending_.size() - from, conn_, generation_);
  }

  IoResult sent(const RingEvent& event) {
    if (event.res < 0) return IoResult{Io::failed, -event.res};
    shared_.recorder->bytes_written.add(static_cast<uint64_t>(event.res));
    const size_t done = sent_ + static_cast<size_t>(event.res);
    if (done < sending_.size() && event.res > 0) {
      start_send(done);  // MSG_WAITALL makes this rare: a send the kernel ended early
      return IoResult{Io::done, 0};
    }
    in_flight_ = false;
    if (!waiting_.empty()) {
      sending_.swap(waiting_);
      waiting_.clear();
      start_send(0);
    }
    return IoResult{Io::done, 0};
  }

  IoResult received(const RingEvent& event, StreamEvents& events, uint64_t now_ns) {
    if (event.res == -ENOBUFS) {
      // Every provided buffer was in use: the bytes wait in the socket for the re-armed receive.
      if (!event.more) ring_->receive(fd_, conn_, generation_);
      return IoResult{Io::done, 0};
    }
    if (event.res < 0) {
      events.on_stream_error(conn_, StreamError::read, -event.res, now_ns);
      return IoResult{Io::gone, 0};
    }
    if (event.size == 0) {
      events.on_stream_eof(conn_, now_ns);
      return IoResult{Io::gone, 0};
    }
    const uint64_t arrived_ns = arrived_ns_of(event.control, *shared_.clock, now_ns);
    if (!events.on_stream_bytes(conn_, event.payload, event.size, arrived_ns, now_ns)) return IoResult{Io::gone, 0};
    if (!event.more) ring_->receive(fd_, conn_, generation_);
    return IoResult{Io::done, 0};
  }

  const uint32_t conn_;
  const StreamShared shared_;
  Ring* const ring_;
  int fd_ = -1;
  // Bumped on close(), so completions of an earlier connection of this slot are dropped.
  uint32_t generation_ = 0;
  bool in_flight_ = false;  // a send of sending_ is in the kernel's hands
  size_t sent_ = 0;         // of sending_, before the send in flight
  std::vector<char> sending_;
  std::vector<char> waiting_;
};

}  // namespace

std::unique_ptr<ByteStream> make_ring_stream(uint32_t conn, const StreamShared& shared, size_t queue_reserve) {
  return std::make_unique<RingStream>(conn, shared, queue_reserve);
}

}  // namespace ratetest
#endif
