// ring.h: one pump's io_uring (--io-engine io_uring; Linux only, elsewhere this file declares
// nothing): the submission and completion rings, mapped once, and a ring of provided receive
// buffers. Knows nothing of connections but the slot and generation each operation carries.
// No allocation and no lock after open(); raw syscalls, no liburing.
//
// Every operation's user_data, so a completion finds its connection and a late one for a
// closed connection (the slot since reused) is told apart:
//
//   [ op : 8 ][ generation, low 24 bits : 24 ][ slot index : 32 ]
//
// A provided buffer as a multishot recvmsg fills it, one per completion:
//
//   [ io_uring_recvmsg_out ][ control: the SO_TIMESTAMPNS cmsg ][ payload ... ]
#pragma once
#ifdef __linux__
#include <linux/io_uring.h>
#include <sys/socket.h>

#include <cstddef>
#include <cstdint>

namespace ratetest {

enum class RingOp : uint8_t { receive = 1, send = 2, cancel = 3, poll = 4 };

// One completion, as RingStream::complete() and the pump read it.
struct RingEvent {
  RingOp op;
  uint32_t index;       // the connection slot
  uint32_t generation;  // Ring::generation_bits() of the slot's connection when the op was queued
  int res;              // the kernel's result: bytes, or -errno
  bool more;            // a multishot receive stays armed
  // A receive's bytes (in a provided buffer, the pump's until the next call to next()) and its
  // control data; size 0 with res >= 0 is the end of the stream.
  const char* payload;
  size_t size;
  msghdr control;
};

class Ring {
 public:
  static constexpr uint32_t kGenerationMask = 0xffffff;
  static uint32_t generation_bits(uint32_t generation) { return generation & kGenerationMask; }

  Ring() = default;
  ~Ring();
  Ring(const Ring&) = delete;
  Ring& operator=(const Ring&) = delete;

  // Sets up a ring sized for `connections` sockets, disabled until enable(). 0, or the errno of
  // the step that failed, named in *step ("io_uring_setup", ...).
  int open(uint32_t connections, const char** step);
  // On the thread that will submit (the pump's): the ring is SINGLE_ISSUER | DEFER_TASKRUN, so
  // only that thread submits, and completions run when it enters the ring.
  int enable();

  // Queue operations; submitted by the next submit(), wait() or a full submission queue.
  void receive(int fd, uint32_t index, uint32_t generation);  // multishot recvmsg
  // data must stay as it is until the send's completion (RingStream keeps it).
  void send(int fd, const char* data, size_t size, uint32_t index, uint32_t generation);
  void poll(int fd);  // one POLLIN on fd: the pump's epoll set (connects, wake-ups)
  // Cancels every operation on fd now (fd still open), so closing fd closes the socket: an armed
  // receive holds a reference to it, and the peer would never see our FIN.
  void cancel(int fd);

  void submit();
  // Submits, then (min_complete > 0) waits until that many completions are ready or deadline_ns
  // (CLOCK_MONOTONIC) passes. Returns the completions ready.
  unsigned wait(unsigned min_complete, uint64_t deadline_ns, uint64_t now_ns);
  // Blocking waits ask for one completion beyond the sends in flight: each send that went
  // through posts its own at once, and must not end the wait.
  unsigned sends_in_flight() const { return sends_in_flight_; }
  // The next ready completion; false when none is left. A receive's buffer goes back to the
  // kernel on the next call.
  bool next(RingEvent* event);

 private:
  io_uring_sqe* next_sqe();
  unsigned pending() const;
  long enter(unsigned min_complete, unsigned flags, const void* arg, size_t arg_size);
  void give_back(uint16_t bid);
  void publish_buffers();

  int fd_ = -1;
  void* rings_ = nullptr;
  size_t rings_bytes_ = 0;
  io_uring_sqe* sqes_ = nullptr;
  size_t sqes_bytes_ = 0;
  unsigned* sq_head_ = nullptr;
  unsigned* sq_tail_ = nullptr;
  unsigned sq_mask_ = 0;
  unsigned sq_entries_ = 0;
  unsigned tail_ = 0;  // our copy of the submission tail, published by pending()
  unsigned* cq_head_ = nullptr;
  unsigned* cq_tail_ = nullptr;
  unsigned cq_mask_ = 0;
  io_uring_cqe* cqes_ = nullptr;

  io_uring_buf_ring* buffer_ring_ = nullptr;
  size_t buffer_ring_bytes_ = 0;
  char* buffers_ = nullptr;
  size_t buffers_bytes_ = 0;
  unsigned buffer_count_ = 0;  // a power of two
  uint16_t buffer_tail_ = 0;
  uint16_t buffers_added_ = 0;
  int held_buffer_ = -1;  // lent out by the last next()

  msghdr layout_{};  // what every multishot recvmsg reads its layout from
  unsigned sends_in_flight_ = 0;
};

}  // namespace ratetest
#endif
