// ring.cc: the io_uring behind --io-engine io_uring (ring.h draws it). Set-up maps and
// registers everything; after that no call allocates, and the hot path is memory writes to the
// submission ring plus one io_uring_enter per wake-up.
#ifdef __linux__
#include "ring.h"

#include <errno.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

namespace ratetest {
namespace {

// 2 KiB holds a typical response whole behind its 48-byte header; a larger one spans buffers.
constexpr unsigned kBufferBytes = 2048;
constexpr uint16_t kBufferGroup = 0;

uint32_t power_of_two_at_least(uint64_t n, uint32_t low, uint32_t high) {
  uint32_t p = low;
  while (p < n && p < high) p *= 2;
  return p;
}

uint64_t user_data(RingOp op, uint32_t index, uint32_t generation) {
  return (static_cast<uint64_t>(op) << 56) | (static_cast<uint64_t>(Ring::generation_bits(generation)) << 32) | index;
}

}  // namespace

Ring::~Ring() {
  // Closing the ring ends every operation before the buffers they write into go.
  if (fd_ >= 0) close(fd_);
  if (buffers_ != nullptr) munmap(buffers_, buffers_bytes_);
  if (buffer_ring_ != nullptr) munmap(buffer_ring_, buffer_ring_bytes_);
  if (sqes_ != nullptr) munmap(sqes_, sqes_bytes_);
  if (rings_ != nullptr) munmap(rings_, rings_bytes_);
}

int Ring::open(uint32_t connections, const char** step) {
  // Each turn queues at most a send and a receive per connection; a full queue is submitted early.
  const uint32_t entries = power_of_two_at_least(static_cast<uint64_t>(connections) + 64, 256, 4096);
  // Between two walks: a send and a terminal receive per connection, plus one per buffer used.
  buffer_count_ = power_of_two_at_least(2ull * connections, 256, 2048);
  io_uring_params p{};
  p.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_CQSIZE | IORING_SETUP_R_DISABLED;
  p.cq_entries = power_of_two_at_least(2ull * connections + buffer_count_, 1024, 65536);
  *step = "io_uring_setup";
  fd_ = static_cast<int>(syscall(__NR_io_uring_setup, entries, &p));
  if (fd_ < 0) return errno;
  *step = "io_uring_setup (this kernel lacks IORING_FEAT_SINGLE_MMAP or IORING_FEAT_EXT_ARG)";
  if (!(p.features & IORING_FEAT_SINGLE_MMAP) || !(p.features & IORING_FEAT_EXT_ARG)) return EINVAL;

  *step = "mmap of the io_uring";
  rings_bytes_ = std::max<size_t>(p.sq_off.array + p.sq_entries * sizeof(unsigned), p.cq_off.cqes + p.cq_entries * sizeof(io_uring_cqe));
  void* rings = mmap(nullptr, rings_bytes_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd_, IORING_OFF_SQ_RING);
  if (rings == MAP_FAILED) return errno;
  rings_ = rings;
  sqes_bytes_ = p.sq_entries * sizeof(io_uring_sqe);
  void* sqes = mmap(nullptr, sqes_bytes_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd_, IORING_OFF_SQES);
  if (sqes == MAP_FAILED) return errno;
  sqes_ = static_cast<io_uring_sqe*>(sqes);
  char* base = static_cast<char*>(rings);
  sq_head_ = reinterpret_cast<unsigned*>(base + p.sq_off.head);
  sq_tail_ = reinterpret_cast<unsigned*>(base + p.sq_off.tail);
  sq_mask_ = *reinterpret_cast<unsigned*>(base + p.sq_off.ring_mask);
  sq_entries_ = p.sq_entries;
  unsigned* array = reinterpret_cast<unsigned*>(base + p.sq_off.array);
  for (unsigned i = 0; i < p.sq_entries; ++i) array[i] = i;
  cq_head_ = reinterpret_cast<unsigned*>(base + p.cq_off.head);
  cq_tail_ = reinterpret_cast<unsigned*>(base + p.cq_off.tail);
  cq_mask_ = *reinterpret_cast<unsigned*>(base + p.cq_off.ring_mask);
  cqes_ = reinterpret_cast<io_uring_cqe*>(base + p.cq_off.cqes);
  tail_ = *sq_tail_;

  // The provided buffers: pages are touched only as the kernel fills them.
  *step = "mmap of the receive buffers";
  buffer_ring_bytes_ = buffer_count_ * sizeof(io_uring_buf);
  void* ring = mmap(nullptr, buffer_ring_bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
  if (ring == MAP_FAILED) return errno;
  buffer_ring_ = static_cast<io_uring_buf_ring*>(ring);
  buffers_bytes_ = static_cast<size_t>(buffer_count_) * kBufferBytes;
  void* buffers = mmap(nullptr, buffers_bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (buffers == MAP_FAILED) {
    buffers_ = nullptr;
    return errno;
  }
  buffers_ = static_cast<char*>(buffers);
  *step = "IORING_REGISTER_PBUF_RING (Linux 5.19 or later)";
  io_uring_buf_reg reg{};
  reg.ring_addr = reinterpret_cast<uint64_t>(buffer_ring_);
  reg.ring_entries = buffer_count_;
  reg.bgid = kBufferGroup;
  if (syscall(__NR_io_uring_register, fd_, IORING_REGISTER_PBUF_RING, &reg, 1) != 0) return errno;
  for (unsigned bid = 0; bid < buffer_count_; ++bid) give_back(static_cast<uint16_t>(bid));
  publish_buffers();

  // No peer name; room for the timestamp.
  layout_.msg_namelen = 0;
  layout_.msg_controllen = CMSG_SPACE(sizeof(timespec));
  return 0;
}

int Ring::enable() {
  return syscall(__NR_io_uring_register, fd_, IORING_REGISTER_ENABLE_RINGS, nullptr, 0) == 0 ? 0 : errno;
}

io_uring_sqe* Ring::next_sqe() {
  if (tail_ - __atomic_load_n(sq_head_, __ATOMIC_ACQUIRE) >= sq_entries_) submit();
  io_uring_sqe* sqe = &sqes_[tail_ & sq_mask_];
  std::memset(sqe, 0, sizeof *sqe);
  ++tail_;
  return sqe;
}

void Ring::receive(int fd, uint32_t index, uint32_t generation) {
  io_uring_sqe* sqe = next_sqe();
  sqe->opcode = IORING_OP_RECVMSG;
  sqe->fd = fd;
  sqe->addr = reinterpret_cast<uint64_t>(&layout_);
  sqe->len = 1;
  sqe->flags = IOSQE_BUFFER_SELECT;
  sqe->buf_group = kBufferGroup;
  sqe->ioprio = IORING_RECV_MULTISHOT;
  sqe->user_data = user_data(RingOp::receive, index, generation);
}

void Ring::send(int fd, const char* data, size_t size, uint32_t index, uint32_t generation) {
  io_uring_sqe* sqe = next_sqe();
  sqe->opcode = IORING_OP_SEND;
  sqe->fd = fd;
  sqe->addr = reinterpret_cast<uint64_t>(data);
  sqe->len = static_cast<uint32_t>(size);
  // MSG_WAITALL: the kernel finishes a short send itself, so a completion means all or an error.
  sqe->msg_flags = MSG_NOSIGNAL | MSG_WAITALL;
  sqe->user_data = user_data(RingOp::send, index, generation);
  ++sends_in_flight_;
}

void Ring::poll(int fd) {
  io_uring_sqe* sqe = next_sqe();
  sqe->opcode = IORING_OP_POLL_ADD;
  sqe->fd = fd;
  sqe->poll32_events = POLLIN;
  sqe->user_data = user_data(RingOp::poll, 0, 0);
}

void Ring::cancel(int fd) {
  io_uring_sqe* sqe = next_sqe();
  sqe->opcode = IORING_OP_ASYNC_CANCEL;
  sqe->fd = fd;
  sqe->cancel_flags = IORING_ASYNC_CANCEL_FD | IORING_ASYNC_CANCEL_ALL;
  sqe->flags = IOSQE_CQE_SKIP_SUCCESS;
  sqe->user_data = user_data(RingOp::cancel, 0, 0);
  // Now, while fd is open: the cancel looks the file up by fd. GETEVENTS runs the deferred work
  // that completes (and lets go of) what it cancelled.
  enter(0, IORING_ENTER_GETEVENTS, nullptr, 0);
}

unsigned Ring::pending() const {
  __atomic_store_n(sq_tail_, tail_, __ATOMIC_RELEASE);
  return tail_ - __atomic_load_n(sq_head_, __ATOMIC_ACQUIRE);
}

long Ring::enter(unsigned min_complete, unsigned flags, const void* arg, size_t arg_size) {
  const long r = syscall(__NR_io_uring_enter, fd_, pending(), min_complete, flags, arg, arg_size);
  return r < 0 ? -errno : r;
}

void Ring::submit() {
  if (pending() > 0) enter(0, IORING_ENTER_GETEVENTS, nullptr, 0);
}

unsigned Ring::wait(unsigned min_complete, uint64_t deadline_ns, uint64_t now_ns) {
  if (min_complete == 0 || deadline_ns <= now_ns) {
    enter(0, IORING_ENTER_GETEVENTS, nullptr, 0);
  } else {
    const uint64_t timeout_ns = deadline_ns - now_ns;
    __kernel_timespec ts{};
    ts.tv_sec = static_cast<long long>(timeout_ns / 1000000000ull);
    ts.tv_nsec = static_cast<long long>(timeout_ns % 1000000000ull);
    io_uring_getevents_arg arg{};
    arg.ts = reinterpret_cast<uint64_t>(&ts);
    // -ETIME (the deadline) and -EINTR end the wait like a completion would: the caller re-reads the clock.
    enter(min_complete, IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG, &arg, sizeof arg);
  }
  return __atomic_load_n(cq_tail_, __ATOMIC_ACQUIRE) - *cq_head_;
}

bool Ring::next(RingEvent* event) {
  if (held_buffer_ >= 0) {
    give_back(static_cast<uint16_t>(held_buffer_));
    held_buffer_ = -1;
  }
  const unsigned head = *cq_head_;
  if (head == __atomic_load_n(cq_tail_, __ATOMIC_ACQUIRE)) {
    if (buffers_added_ > 0) publish_buffers();
    return false;
  }
  const io_uring_cqe cqe = cqes_[head & cq_mask_];
  __atomic_store_n(cq_head_, head + 1, __ATOMIC_RELEASE);
  event->op = static_cast<RingOp>(cqe.user_data >> 56);
  event->index = static_cast<uint32_t>(cqe.user_data);
  event->generation = static_cast<uint32_t>(cqe.user_data >> 32) & kGenerationMask;
  event->res = cqe.res;
  event->more = (cqe.flags & IORING_CQE_F_MORE) != 0;
  event->payload = nullptr;
  event->size = 0;
  event->control = msghdr{};
  if (event->op == RingOp::send && sends_in_flight_ > 0) --sends_in_flight_;
  if (event->op != RingOp::receive || !(cqe.flags & IORING_CQE_F_BUFFER)) return true;
  const uint16_t bid = static_cast<uint16_t>(cqe.flags >> IORING_CQE_BUFFER_SHIFT);
  held_buffer_ = bid;
  char* buffer = buffers_ + static_cast<size_t>(bid) * kBufferBytes;
  const auto* out = reinterpret_cast<const io_uring_recvmsg_out*>(buffer);
  const size_t control_at = sizeof(io_uring_recvmsg_out) + layout_.msg_namelen;
  const size_t payload_at = control_at + layout_.msg_controllen;
  if (cqe.res < 0 || static_cast<size_t>(cqe.res) < payload_at) return true;
  event->payload = buffer + payload_at;
  // The payload the buffer holds (payloadlen says what the socket had, which may be more).
  event->size = std::min<size_t>(out->payloadlen, static_cast<size_t>(cqe.res) - payload_at);
  event->control.msg_control = buffer + control_at;
  event->control.msg_controllen = std::min<size_t>(out->controllen, layout_.msg_controllen);
  return true;
}

void Ring::give_back(uint16_t bid) {
  // Indexed from the ring's start: in C++ the header's flexible-array wrapper is a one-byte
  // struct, which would put `bufs` 8 bytes past where the kernel reads the entries.
  io_uring_buf& b = reinterpret_cast<io_uring_buf*>(buffer_ring_)[(buffer_tail_ + buffers_added_) & (buffer_count_ - 1)];
  b.addr = reinterpret_cast<uint64_t>(buffers_ + static_cast<size_t>(bid) * kBufferBytes);
  b.len = kBufferBytes;
  b.bid = bid;
  ++buffers_added_;
}

void Ring::publish_buffers() {
  buffer_tail_ = static_cast<uint16_t>(buffer_tail_ + buffers_added_);
  buffers_added_ = 0;
  __atomic_store_n(&buffer_ring_->tail, buffer_tail_, __ATOMIC_RELEASE);
}

}  // namespace ratetest
#endif
