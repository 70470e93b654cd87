// conn.h: one connection's state, and the two containers the pump keeps connections in without
// allocating: an intrusive FIFO of deadlines and a ring of idle connections.
#pragma once
#include <sys/socket.h>
#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "clock.h"
#include "request_bytes.h"
#include "transport.h"

namespace ratetest {

enum class ConnState : uint8_t {
  closed,
  backoff,     // a connect failed; retried when its deadline passes
  connecting,   // non-blocking connect under way
  handshaking,  // connected, the byte stream's handshake under way (TLS)
  idle,         // connected, no request outstanding
  busy,         // requests written (or being written), responses not complete
};

struct Conn {
  int fd = -1;
  ConnState state = ConnState::closed;
  bool want_write = false;
  bool in_idle_ring = false;  // an entry may outlive the idle state; the pump skips stale ones
  bool available = false;     // can take another request now (idle, or busy below --pipeline)
  bool queued = false;        // HTTP/2: its session holds frames for this turn's write
  uint32_t generation = 0;  // bumped on close, so stale poll events for an old fd are ignored
  uint64_t responses = 0;   // completed on this connection since it connected
  uint64_t deadline_ns = 0;
  int32_t prev = -1;  // DeadlineList links
  int32_t next = -1;
  // Chosen once per slot when the pump is built (transport.h): how bytes travel, and how
  // requests and responses are framed on them.
  std::unique_ptr<ByteStream> stream;
  std::unique_ptr<Session> session;
  RequestBytes request;  // the next request, as the pump's source filled it in
  // A script's response() hook: the raw bytes of the response being read, up to the capture
  // limit. Reserved before the run; grows for a response larger than the reserve, then shrinks back.
  std::vector<char> captured;
  bool capture_truncated = false;
};

// Connections whose deadlines were all set with the same delay, in the order they were set, so
// the earliest deadline is always at the head:
//
//   head -> [conn 7, t+2s] <-> [conn 3, t+2.1s] <-> [conn 9, t+2.4s] <- tail
class DeadlineList {
 public:
  explicit DeadlineList(std::vector<Conn>* conns) : conns_(conns) {}
  bool empty() const { return head_ < 0; }
  int32_t head() const { return head_; }
  void push_back(int32_t index, uint64_t deadline_ns);
  // A deadline set with a shorter delay (an HTTP/2 stream's, from its write): placed in order,
  // searching from the tail, where it almost always belongs.
  void insert(int32_t index, uint64_t deadline_ns);
  void remove(int32_t index);

 private:
  std::vector<Conn>* conns_;
  int32_t head_ = -1;
  int32_t tail_ = -1;
};

// Idle connections, used in turn so every connection carries its share of the rate (as wrk2's
// per-connection rate does) and none sits unused long enough for the server to drop it.
class IdleRing {
 public:
  explicit IdleRing(uint32_t capacity) : slots_(capacity) {}
  bool empty() const { return size_ == 0; }
  void push(uint32_t index) {
    slots_[(first_ + size_) % slots_.size()] = index;
    ++size_;
  }
  uint32_t pop() {
    const uint32_t index = slots_[first_];
    first_ = (first_ + 1) % slots_.size();
    --size_;
    return index;
  }
  void clear() { first_ = size_ = 0; }

 private:
  std::vector<uint32_t> slots_;
  size_t first_ = 0;
  size_t size_ = 0;
};

#ifdef MSG_NOSIGNAL
constexpr int kSendFlags = MSG_NOSIGNAL;
#else
constexpr int kSendFlags = 0;  // SO_NOSIGPIPE is set on the socket instead
#endif

// Opens a non-blocking stream socket (TCP, or a Unix domain socket) and starts connecting. Returns the fd, or -1 with *error_out
// set to the errno that stopped it.
int start_connect(const sockaddr_storage& address, socklen_t address_length, int* error_out);

// The errno a finished non-blocking connect ended with (0 = connected).
int connect_result(int fd);

// Reads what has arrived. *arrived_ns is when the kernel received the last bytes read (Linux
// SO_TIMESTAMPNS), else now_ns: so a response's completion time does not include how late this
// thread woke up to read it (~30 us on a virtual machine, far more when the generator is short of
// CPU), which would otherwise be charged to the server.
ssize_t receive(int fd, char* buffer, size_t length, const ClockOffset& clock, uint64_t now_ns, uint64_t* arrived_ns);

// The kernel receive time a recvmsg's control data carries (SO_TIMESTAMPNS), on the monotonic
// clock; now_ns when it carries none. receive() and the io_uring stream (multishot recvmsg) share it.
uint64_t arrived_ns_of(const msghdr& message, const ClockOffset& clock, uint64_t now_ns);

}  // namespace ratetest
