// transport_plain.cc: the plain TCP (or Unix socket) byte stream, and the choice between it and
// TLS. Hot path: no allocation once a connection's write queue has its reserve, no N-API.
#include <errno.h>
#include <sys/socket.h>

#include <algorithm>
#include <vector>

#include "conn.h"
#include "transport.h"

namespace ratetest {
namespace {

bool would_block(int err) { return err == EAGAIN || err == EWOULDBLOCK || err == EINTR; }

class PlainStream final : public ByteStream {
 public:
  PlainStream(uint32_t conn, const StreamShared& shared, size_t queue_reserve) : conn_(conn), shared_(shared) {
    if (queue_reserve > 0) unsent_.reserve(queue_reserve);
  }

  OpenResult begin(int fd, uint64_t) override {
    fd_ = fd;
    return OpenResult{OpenStep::ready, false, false, 0};
  }

  // A plain stream is ready as soon as TCP is: the pump never asks it to go on opening.
  OpenResult on_open_io(bool, bool, uint64_t) override { return OpenResult{OpenStep::ready, false, false, 0}; }

  // Writes straight from the caller's bytes (no copy) when nothing is queued ahead of them;
  // whatever the socket does not take is kept in `unsent_`, in order.
  IoResult write(const char* data, size_t size) override {
    if (unsent_size_ == 0) {
      const ssize_t n = send(fd_, data, size, kSendFlags);
      if (n < 0 && !would_block(errno)) return IoResult{Io::failed, errno};
      const size_t written = n > 0 ? static_cast<size_t>(n) : 0;
      shared_.recorder->bytes_written.add(written);
      if (written == size) return IoResult{Io::done, 0};
      data += written;
      size -= written;
      write_offset_ = 0;
    }
    if (unsent_.size() < unsent_size_ + size) unsent_.resize(unsent_size_ + size);
    std::copy(data, data + size, unsent_.data() + unsent_size_);
    unsent_size_ += size;
    return flush();
  }

  // Writes what the socket did not take before (more than one request only with --pipeline).
  IoResult flush() override {
    while (write_offset_ < unsent_size_) {
      const ssize_t n = send(fd_, unsent_.data() + write_offset_, unsent_size_ - write_offset_, kSendFlags);
      if (n < 0) return would_block(errno) ? IoResult{Io::blocked, 0} : IoResult{Io::failed, errno};
      shared_.recorder->bytes_written.add(static_cast<uint64_t>(n));
      write_offset_ += static_cast<size_t>(n);
    }
    unsent_size_ = write_offset_ = 0;
    return IoResult{Io::done, 0};
  }

  IoResult read(StreamEvents& events, uint64_t now_ns) override {
    uint64_t arrived_ns = now_ns;
    const long n = read_socket(fd_, conn_, shared_, events, now_ns, &arrived_ns);
    if (n < 0) return IoResult{Io::gone, 0};
    if (n > 0 && !events.on_stream_bytes(conn_, shared_.read_buffer, static_cast<size_t>(n), arrived_ns, now_ns)) return IoResult{Io::gone, 0};
    return queued();
  }

  IoResult drain(StreamEvents&, uint64_t) override { return queued(); }
  void record_rejection() override {}

  void close() override {
    unsent_size_ = write_offset_ = 0;
    fd_ = -1;
  }

 private:
  IoResult queued() const { return IoResult{unsent_size_ > 0 ? Io::blocked : Io::done, 0}; }

  const uint32_t conn_;
  const StreamShared shared_;
  int fd_ = -1;
  // Bytes the socket did not take at once (behind a full socket buffer; with --pipeline, more
  // than one request's). Reserved before the run, so it grows only for a request larger than
  // the source foresaw.
  std::vector<char> unsent_;
  size_t unsent_size_ = 0;
  size_t write_offset_ = 0;  // into unsent_
};

}  // namespace

long read_socket(int fd, uint32_t conn, const StreamShared& shared, StreamEvents& events, uint64_t now_ns, uint64_t* arrived_ns) {
  const ssize_t n = receive(fd, shared.read_buffer, shared.buffer_size, *shared.clock, now_ns, arrived_ns);
  if (n > 0) return static_cast<long>(n);
  if (n == 0) {
    events.on_stream_eof(conn, now_ns);
    return -1;
  }
  if (would_block(errno)) return 0;
  events.on_stream_error(conn, StreamError::read, errno, now_ns);
  return -1;
}

std::unique_ptr<ByteStream> make_plain_stream(uint32_t conn, const StreamShared& shared, size_t queue_reserve) {
  return std::make_unique<PlainStream>(conn, shared, queue_reserve);
}

std::unique_ptr<ByteStream> make_byte_stream(uint32_t conn, const StreamShared& shared, size_t queue_reserve) {
  if (shared.tls != nullptr) return make_tls_stream(conn, shared);
#ifdef __linux__
  if (shared.ring != nullptr) return make_ring_stream(conn, shared, queue_reserve);
#endif
  return make_plain_stream(conn, shared, queue_reserve);
}

}  // namespace ratetest
