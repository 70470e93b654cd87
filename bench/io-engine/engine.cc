// engine.cc: a stand-alone prototype that answers one question: does io_uring make the pump's
// HTTP/1.1 loop cheaper per request than epoll + sendto/recvmsg? It drives N keep-alive
// connections the way native/pump.cc does (a fixed-rate schedule, the --batch send window slept
// through with clock_nanosleep, every response timed by the kernel's SO_TIMESTAMPNS stamp, or a
// closed loop), once per engine, with the same request bytes and the same response parsing.
//
//   engine --engine epoll|uring --port P [--rate R | --rate max] [--batch-us B] [--conns N]
//          [--seconds S] [--wait sleep|ring]
//
// bench/io-engine.mjs builds it (g++ with native/conn.cc, whose receive() the epoll engine reads
// with) and runs it against nginx.
//
// epoll: each window wakes from clock_nanosleep, takes every ready event from epoll_pwait2 (no
// timeout), reads each ready socket with recvmsg and sends each due request with send: the pump.
// uring: every send due in a window is an SQE, submitted with one io_uring_enter; each connection
// has one multishot recvmsg with provided buffers (the timestamp cmsg lands in the buffer); the
// ring is set up with DEFER_TASKRUN, so receives complete only when this thread enters the ring.
// --wait sleep (default) sleeps to the window's end with clock_nanosleep as the pump does, then
// one io_uring_enter submits the sends and reaps the receives. --wait ring instead submits an
// absolute timeout SQE with the sends and sleeps inside that io_uring_enter: one syscall a window.
// Closed loop (--rate max): epoll blocks in epoll_pwait2; uring blocks in io_uring_enter for one
// completion. Prints one JSON line: counts, CPU (getrusage), corrected p50/p99 and syscalls.
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "clock.h"
#include "conn.h"

namespace {

using ratetest::monotonic_now_ns;

[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "engine: %s: %s\n", what, std::strerror(errno));
  std::exit(2);
}

[[noreturn]] void usage(const char* what) {
  std::fprintf(stderr, "engine: %s\nusage: engine --engine epoll|uring --port P [--rate R|max] [--batch-us B] [--conns N] [--seconds S] [--wait sleep|ring]\n", what);
  std::exit(2);
}

struct Options {
  bool uring = false;
  bool ring_wait = false;
  int port = 0;
  uint64_t rate = 0;  // 0: closed loop
  uint64_t batch_ns = 100000;
  int conns = 100;
  uint64_t seconds = 5;
};

// Corrected latency in whole microseconds, up to 1 s; later ones share the last bucket.
constexpr size_t kLatencyBuckets = 1000001;
constexpr size_t kConnBuffer = 4096;
constexpr uint64_t kDrainNs = 2000000000ull;

struct Conn {
  int fd = -1;
  bool busy = false;
  uint64_t intended_ns = 0;
  uint64_t arrived_ns = 0;  // kernel stamp of the last bytes read, on CLOCK_MONOTONIC
  bool stamped = false;
  size_t have = 0;
  char buffer[kConnBuffer];
};

struct Stats {
  uint64_t sent = 0, completed = 0, stamped = 0, errors = 0, turns = 0;
  uint64_t sends = 0, receives = 0, polls = 0, sleeps = 0, enters = 0, rearms = 0, no_buffers = 0;
  std::vector<uint32_t> latency_us = std::vector<uint32_t>(kLatencyBuckets);
};

class Engine {
 public:
  explicit Engine(const Options& o) : o_(o), conns_(static_cast<size_t>(o.conns)) {
    request_ = "GET / HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(o.port) + "\r\nUser-Agent: ratetest\r\n\r\n";
    idle_.reserve(conns_.size());
  }
  virtual ~Engine() {
    for (const Conn& conn : conns_) {
      if (conn.fd >= 0) close(conn.fd);
    }
  }

  void connect_all() {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(o_.port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const int one = 1;
    for (size_t i = 0; i < conns_.size(); ++i) {
      const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      if (fd < 0) die("socket");
      if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) die("connect");
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
      fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
      conns_[i].fd = fd;
      idle_.push_back(static_cast<uint32_t>(i));
      on_connected(static_cast<uint32_t>(i));
    }
  }

  void run() {
    rusage before, after;
    getrusage(RUSAGE_SELF, &before);
    const uint64_t start = monotonic_now_ns();
    start_ns_ = start;
    end_ns_ = start + o_.seconds * 1000000000ull;
    uint64_t now = start;
    clock_.refresh();
    for (;;) {
      ++stats_.turns;
      dispatch(now);
      const bool ended = now >= end_ns_;
      if (ended && (busy_ == 0 || now >= end_ns_ + kDrainNs)) break;
      const uint64_t until = ended ? end_ns_ + kDrainNs : end_ns_;
      if (o_.rate == 0) {
        wait_any(until, now);
      } else {
        uint64_t wake = until;
        if (!ended && !idle_.empty()) wake = std::min(wake, std::max(intended(next_), last_wake_ + o_.batch_ns));
        if (busy_ > 0) wake = std::min(wake, now + o_.batch_ns);
        wake = std::max(wake, now);
        wait_window(wake, now);
        last_wake_ = wake;
      }
      now = monotonic_now_ns();
      clock_.refresh();
      reap(now);
    }
    getrusage(RUSAGE_SELF, &after);
    wall_ns_ = monotonic_now_ns() - start;
    user_us_ = micros(after.ru_utime) - micros(before.ru_utime);
    sys_us_ = micros(after.ru_stime) - micros(before.ru_stime);
    nvcsw_ = static_cast<uint64_t>(after.ru_nvcsw - before.ru_nvcsw);
    nivcsw_ = static_cast<uint64_t>(after.ru_nivcsw - before.ru_nivcsw);
  }

  void report(const char* engine) const {
    const uint64_t scheduled = o_.rate == 0 ? stats_.sent : o_.rate * o_.seconds;
    const double cpu = static_cast<double>(user_us_ + sys_us_);
    const uint64_t done = std::max<uint64_t>(stats_.completed, 1);
    std::printf(
        "{\"engine\":\"%s\",\"wait\":\"%s\",\"rate\":%llu,\"batchUs\":%llu,\"conns\":%d,\"seconds\":%llu,"
        "\"scheduled\":%llu,\"sent\":%llu,\"completed\":%llu,\"stamped\":%llu,\"errors\":%llu,"
        "\"achieved\":%.1f,\"userUs\":%llu,\"sysUs\":%llu,\"cpuUsPerReq\":%.3f,\"p50Us\":%llu,\"p99Us\":%llu,"
        "\"turns\":%llu,\"syscalls\":{\"send\":%llu,\"recvmsg\":%llu,\"epoll\":%llu,\"sleep\":%llu,\"enter\":%llu},"
        "\"rearms\":%llu,\"noBuffers\":%llu,\"voluntarySwitches\":%llu,\"involuntarySwitches\":%llu}\n",
        engine, o_.uring ? (o_.ring_wait ? "ring" : "sleep") : "sleep", u(o_.rate), u(o_.batch_ns / 1000), o_.conns, u(o_.seconds),
        u(scheduled), u(stats_.sent), u(stats_.completed), u(stats_.stamped), u(stats_.errors),
        static_cast<double>(stats_.completed) * 1e9 / static_cast<double>(o_.seconds * 1000000000ull), u(user_us_),
        u(sys_us_), cpu / static_cast<double>(done), u(percentile(0.5)), u(percentile(0.99)), u(stats_.turns), u(stats_.sends),
        u(stats_.receives), u(stats_.polls), u(stats_.sleeps), u(stats_.enters), u(stats_.rearms), u(stats_.no_buffers), u(nvcsw_),
        u(nivcsw_));
    std::fflush(stdout);
  }

 protected:
  virtual void on_connected(uint32_t index) = 0;
  // Queues or sends the request on an idle connection.
  virtual void send_request(uint32_t index) = 0;
  // Sleeps to wake_ns (already >= now), then gathers what arrived (the pump's batched wait).
  virtual void wait_window(uint64_t wake_ns, uint64_t now_ns) = 0;
  // Closed loop: blocks until something arrives or until_ns.
  virtual void wait_any(uint64_t until_ns, uint64_t now_ns) = 0;
  // Handles what the wait gathered.
  virtual void reap(uint64_t now_ns) = 0;

  // Response bytes for a connection whose last byte reached the kernel at arrived_ns (now_ns
  // when the kernel gave no stamp). The parsing effort is the same in both engines: find the
  // header's end, read Content-Length, complete when the body is in.
  void on_bytes(uint32_t index, const char* data, size_t size, uint64_t arrived_ns, uint64_t now_ns) {
    Conn& conn = conns_[index];
    if (!conn.busy || conn.have + size > kConnBuffer) {
      ++stats_.errors;
      return;
    }
    std::memcpy(conn.buffer + conn.have, data, size);
    conn.have += size;
    conn.arrived_ns = arrived_ns;
    conn.stamped = arrived_ns < now_ns;
    const char* end = static_cast<const char*>(memmem(conn.buffer, conn.have, "\r\n\r\n", 4));
    if (end == nullptr) return;
    const size_t header = static_cast<size_t>(end - conn.buffer) + 4;
    const char* length = static_cast<const char*>(memmem(conn.buffer, header, "Content-Length: ", 16));
    if (length == nullptr) {
      ++stats_.errors;
      return;
    }
    const size_t body = std::strtoul(length + 16, nullptr, 10);
    if (conn.have < header + body) return;
    if (conn.have != header + body) ++stats_.errors;  // nothing was pipelined: a stray byte is a fault
    conn.have = 0;
    conn.busy = false;
    --busy_;
    ++stats_.completed;
    if (conn.stamped) ++stats_.stamped;
    const uint64_t latency_us = (std::max(conn.arrived_ns, conn.intended_ns) - conn.intended_ns) / 1000;
    ++stats_.latency_us[std::min<uint64_t>(latency_us, kLatencyBuckets - 1)];
    idle_.push_back(index);
  }

  void on_failure(uint32_t index) {
    ++stats_.errors;
    Conn& conn = conns_[index];
    if (conn.busy) {
      conn.busy = false;
      --busy_;
    }
  }

  Options o_;
  std::vector<Conn> conns_;
  std::string request_;
  Stats stats_;
  ratetest::ClockOffset clock_;  // refreshed each turn, as the pump's
  uint64_t end_ns_ = 0;

 private:
  static unsigned long long u(uint64_t v) { return static_cast<unsigned long long>(v); }
  static uint64_t micros(const timeval& t) { return static_cast<uint64_t>(t.tv_sec) * 1000000ull + static_cast<uint64_t>(t.tv_usec); }

  uint64_t intended(uint64_t n) const { return start_ns_ + n * 1000000000ull / o_.rate; }

  // Every request due by now goes out on an idle connection, oldest first, up to the last one due
  // before the end (closed loop: every idle connection sends until the end, latency from now).
  void dispatch(uint64_t now_ns) {
    while (!idle_.empty()) {
      const uint64_t at = o_.rate == 0 ? now_ns : intended(next_);
      if (at > now_ns || at >= end_ns_) return;
      const uint32_t index = idle_.back();
      idle_.pop_back();
      Conn& conn = conns_[index];
      conn.busy = true;
      conn.intended_ns = at;
      ++busy_;
      ++next_;
      ++stats_.sent;
      send_request(index);
    }
  }

  uint64_t percentile(double q) const {
    const uint64_t want = static_cast<uint64_t>(q * static_cast<double>(stats_.completed) + 0.5);
    uint64_t seen = 0;
    for (size_t i = 0; i < kLatencyBuckets; ++i) {
      seen += stats_.latency_us[i];
      if (seen >= std::max<uint64_t>(want, 1)) return i;
    }
    return kLatencyBuckets - 1;
  }

  std::vector<uint32_t> idle_;
  uint64_t busy_ = 0;
  uint64_t next_ = 0;
  uint64_t start_ns_ = 0;
  uint64_t last_wake_ = 0;
  uint64_t wall_ns_ = 0, user_us_ = 0, sys_us_ = 0, nvcsw_ = 0, nivcsw_ = 0;

};

void sleep_until(uint64_t at_ns) {
  const timespec at{static_cast<time_t>(at_ns / 1000000000ull), static_cast<long>(at_ns % 1000000000ull)};
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, nullptr) == EINTR) {
  }
}

// When a multishot recvmsg's bytes reached the kernel: its SO_TIMESTAMPNS cmsg on the monotonic
// clock, as ratetest::receive() reads it from a recvmsg; now_ns when there is none.
uint64_t arrived_of(msghdr* message, const ratetest::ClockOffset& clock, uint64_t now_ns) {
  for (cmsghdr* c = CMSG_FIRSTHDR(message); c != nullptr; c = CMSG_NXTHDR(message, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_TIMESTAMPNS) continue;
    timespec stamp;
    std::memcpy(&stamp, CMSG_DATA(c), sizeof stamp);
    const uint64_t arrived = static_cast<uint64_t>(stamp.tv_sec) * 1000000000ull + static_cast<uint64_t>(stamp.tv_nsec) - clock.realtime_minus_monotonic_ns;
    if (arrived < now_ns) return arrived;
  }
  return now_ns;
}

// ---- epoll + send/recvmsg: the pump today ----------------------------------------------------

class EpollEngine final : public Engine {
 public:
  explicit EpollEngine(const Options& o) : Engine(o) {
    epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
    if (epoll_fd_ < 0) die("epoll_create1");
  }
  ~EpollEngine() override { close(epoll_fd_); }

 protected:
  void on_connected(uint32_t index) override {
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP;
    ev.data.u64 = index;
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, conns_[index].fd, &ev) != 0) die("epoll_ctl");
  }

  void send_request(uint32_t index) override {
    ++stats_.sends;
    const ssize_t n = send(conns_[index].fd, request_.data(), request_.size(), MSG_NOSIGNAL);
    if (n != static_cast<ssize_t>(request_.size())) on_failure(index);
  }

  void wait_window(uint64_t wake_ns, uint64_t now_ns) override {
    if (wake_ns > now_ns) {
      ++stats_.sleeps;
      sleep_until(wake_ns);
    }
    poll(0);
  }

  void wait_any(uint64_t until_ns, uint64_t now_ns) override { poll(until_ns > now_ns ? until_ns - now_ns : 0); }

  void reap(uint64_t now_ns) override {
    for (int i = 0; i < ready_; ++i) {
      const uint32_t index = static_cast<uint32_t>(events_[i].data.u64);
      Conn& conn = conns_[index];
      char data[kConnBuffer];
      uint64_t arrived_ns = now_ns;
      ++stats_.receives;
      const ssize_t n = ratetest::receive(conn.fd, data, sizeof data, clock_, now_ns, &arrived_ns);
      if (n <= 0) {
        if (n < 0 && errno == EAGAIN) continue;
        on_failure(index);
        epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, conn.fd, nullptr);
        continue;
      }
      on_bytes(index, data, static_cast<size_t>(n), arrived_ns, now_ns);
    }
    ready_ = 0;
  }

 private:
  void poll(uint64_t timeout_ns) {
    const timespec ts{static_cast<time_t>(timeout_ns / 1000000000ull), static_cast<long>(timeout_ns % 1000000000ull)};
    ++stats_.polls;
    const int n = static_cast<int>(syscall(SYS_epoll_pwait2, epoll_fd_, events_, kMaxEvents, &ts, nullptr, 0));
    ready_ = n > 0 ? n : 0;
  }

  static constexpr int kMaxEvents = 1024;
  int epoll_fd_ = -1;
  int ready_ = 0;
  epoll_event events_[kMaxEvents];
};

// ---- io_uring: batched sends, multishot recvmsg with provided buffers ------------------------

constexpr unsigned kRingEntries = 4096;
constexpr unsigned kBuffers = 1024;  // power of two
constexpr unsigned kBufferBytes = 1024;
constexpr uint16_t kGroup = 0;
constexpr uint64_t kTagRecv = 1ull << 32;
constexpr uint64_t kTagSend = 2ull << 32;
// Linux 6.12's IORING_ENTER_ABS_TIMER (the deadline is absolute, on CLOCK_MONOTONIC), newer than
// Debian 12's headers.
constexpr unsigned kEnterAbsTimer = 1u << 5;

class UringEngine final : public Engine {
 public:
  explicit UringEngine(const Options& o) : Engine(o) {
    io_uring_params p{};
    p.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_CQSIZE;
    p.cq_entries = kRingEntries * 4;
    fd_ = static_cast<int>(syscall(__NR_io_uring_setup, kRingEntries, &p));
    if (fd_ < 0) die("io_uring_setup");
    if (!(p.features & IORING_FEAT_SINGLE_MMAP) || !(p.features & IORING_FEAT_EXT_ARG)) usage("this kernel's io_uring is too old");
    cq_entries_ = p.cq_entries;
    const size_t sq_bytes = p.sq_off.array + p.sq_entries * sizeof(unsigned);
    const size_t cq_bytes = p.cq_off.cqes + p.cq_entries * sizeof(io_uring_cqe);
    rings_bytes_ = std::max(sq_bytes, cq_bytes);
    sqes_bytes_ = p.sq_entries * sizeof(io_uring_sqe);
    char* rings = static_cast<char*>(mmap(nullptr, rings_bytes_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd_, IORING_OFF_SQ_RING));
    if (rings == MAP_FAILED) die("mmap rings");
    rings_ = rings;
    sqes_ = static_cast<io_uring_sqe*>(mmap(nullptr, sqes_bytes_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd_, IORING_OFF_SQES));
    if (sqes_ == MAP_FAILED) die("mmap sqes");
    sq_head_ = reinterpret_cast<unsigned*>(rings + p.sq_off.head);
    sq_tail_ = reinterpret_cast<unsigned*>(rings + p.sq_off.tail);
    sq_mask_ = *reinterpret_cast<unsigned*>(rings + p.sq_off.ring_mask);
    sq_entries_ = p.sq_entries;
    unsigned* array = reinterpret_cast<unsigned*>(rings + p.sq_off.array);
    for (unsigned i = 0; i < p.sq_entries; ++i) array[i] = i;
    cq_head_ = reinterpret_cast<unsigned*>(rings + p.cq_off.head);
    cq_tail_ = reinterpret_cast<unsigned*>(rings + p.cq_off.tail);
    cq_mask_ = *reinterpret_cast<unsigned*>(rings + p.cq_off.ring_mask);
    cqes_ = reinterpret_cast<io_uring_cqe*>(rings + p.cq_off.cqes);
    tail_ = *sq_tail_;

    // The provided buffers: one ring the kernel takes receive buffers from.
    buffer_ring_ = static_cast<io_uring_buf_ring*>(mmap(nullptr, kBuffers * sizeof(io_uring_buf), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0));
    if (buffer_ring_ == MAP_FAILED) die("mmap buffer ring");
    buffers_ = static_cast<char*>(std::aligned_alloc(4096, kBuffers * kBufferBytes));
    std::memset(buffers_, 0, kBuffers * kBufferBytes);
    io_uring_buf_reg reg{};
    reg.ring_addr = reinterpret_cast<uint64_t>(buffer_ring_);
    reg.ring_entries = kBuffers;
    reg.bgid = kGroup;
    if (syscall(__NR_io_uring_register, fd_, IORING_REGISTER_PBUF_RING, &reg, 1) != 0) die("IORING_REGISTER_PBUF_RING");
    for (unsigned bid = 0; bid < kBuffers; ++bid) give_back(static_cast<uint16_t>(bid));
    publish_buffers();

    // The one msghdr every multishot recvmsg reads its layout from: no name, room for a timestamp.
    template_.msg_namelen = 0;
    template_.msg_controllen = CMSG_SPACE(sizeof(timespec));
  }

  ~UringEngine() override {
    close(fd_);  // ends the multishot receives before their buffers go
    munmap(buffer_ring_, kBuffers * sizeof(io_uring_buf));
    std::free(buffers_);
    munmap(sqes_, sqes_bytes_);
    munmap(rings_, rings_bytes_);
  }

 protected:
  void on_connected(uint32_t index) override { arm_receive(index); }

  void send_request(uint32_t index) override {
    io_uring_sqe* sqe = next_sqe();
    sqe->opcode = IORING_OP_SEND;
    sqe->fd = conns_[index].fd;
    sqe->addr = reinterpret_cast<uint64_t>(request_.data());
    sqe->len = static_cast<uint32_t>(request_.size());
    sqe->msg_flags = MSG_NOSIGNAL;
    // A request this small goes whole or fails: only a failure needs a completion.
    sqe->flags = IOSQE_CQE_SKIP_SUCCESS;
    sqe->user_data = kTagSend | index;
    ++stats_.sends;
  }

  void wait_window(uint64_t wake_ns, uint64_t now_ns) override {
    if (o_.ring_wait && wake_ns > now_ns) {
      // One syscall: the sends go out and the thread sleeps in the ring to an absolute deadline.
      // It asks for more completions than can come, so the deadline is the wake-up. (An
      // IORING_OP_TIMEOUT SQE in place of the deadline never woke this wait on kernel 6.18.)
      io_uring_getevents_arg arg{};
      __kernel_timespec at{};
      at.tv_sec = static_cast<long long>(wake_ns / 1000000000ull);
      at.tv_nsec = static_cast<long long>(wake_ns % 1000000000ull);
      arg.ts = reinterpret_cast<uint64_t>(&at);
      enter_with(cq_entries_, kEnterAbsTimer, &arg);
      return;
    }
    // The pump's way: submit the window's sends, sleep through arrivals to the window's end, then
    // one enter runs the deferred receives and posts their completions.
    if (pending() > 0) enter(0);
    if (wake_ns > now_ns) {
      ++stats_.sleeps;
      sleep_until(wake_ns);
    }
    enter(0);
  }

  void wait_any(uint64_t until_ns, uint64_t now_ns) override {
    io_uring_getevents_arg arg{};
    __kernel_timespec ts{};
    const uint64_t timeout = until_ns > now_ns ? until_ns - now_ns : 0;
    ts.tv_sec = static_cast<long long>(timeout / 1000000000ull);
    ts.tv_nsec = static_cast<long long>(timeout % 1000000000ull);
    arg.ts = reinterpret_cast<uint64_t>(&ts);
    const unsigned submit = pending();
    ++stats_.enters;
    const long r = syscall(__NR_io_uring_enter, fd_, submit, 1, IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG, &arg, sizeof arg);
    if (r < 0 && errno != ETIME && errno != EINTR && errno != EBUSY) die("io_uring_enter");
    submitted_ = tail_;
  }

  void reap(uint64_t now_ns) override {
    unsigned head = *cq_head_;
    const unsigned tail = __atomic_load_n(cq_tail_, __ATOMIC_ACQUIRE);
    bool returned = false;
    for (; head != tail; ++head) {
      const io_uring_cqe& cqe = cqes_[head & cq_mask_];
      const uint64_t tag = cqe.user_data & ~0xffffffffull;
      const uint32_t index = static_cast<uint32_t>(cqe.user_data);
      if (tag == kTagSend) {
        if (cqe.res != static_cast<int>(request_.size())) on_failure(index);
        continue;
      }
      ++stats_.receives;
      if (cqe.flags & IORING_CQE_F_BUFFER) {
        const uint16_t bid = static_cast<uint16_t>(cqe.flags >> IORING_CQE_BUFFER_SHIFT);
        if (cqe.res > 0) on_message(index, buffers_ + static_cast<size_t>(bid) * kBufferBytes, static_cast<size_t>(cqe.res), now_ns);
        give_back(bid);
        returned = true;
      }
      if (cqe.res == 0 || (cqe.res < 0 && cqe.res != -ENOBUFS)) {
        on_failure(index);
        continue;
      }
      if (cqe.res == -ENOBUFS) ++stats_.no_buffers;
      if (!(cqe.flags & IORING_CQE_F_MORE)) {
        ++stats_.rearms;
        arm_receive(index);
      }
    }
    __atomic_store_n(cq_head_, head, __ATOMIC_RELEASE);
    if (returned) publish_buffers();
  }

 private:
  // A multishot recvmsg buffer: the header, the (empty) name, the control data, then the payload.
  void on_message(uint32_t index, char* buffer, size_t size, uint64_t now_ns) {
    const auto* out = reinterpret_cast<const io_uring_recvmsg_out*>(buffer);
    const size_t control_at = sizeof(io_uring_recvmsg_out) + template_.msg_namelen;
    const size_t payload_at = control_at + template_.msg_controllen;
    if (size < payload_at || size - payload_at < out->payloadlen) {
      ++stats_.errors;
      return;
    }
    msghdr control{};
    control.msg_control = buffer + control_at;
    control.msg_controllen = out->controllen;
    on_bytes(index, buffer + payload_at, out->payloadlen, arrived_of(&control, clock_, now_ns), now_ns);
  }

  void arm_receive(uint32_t index) {
    io_uring_sqe* sqe = next_sqe();
    sqe->opcode = IORING_OP_RECVMSG;
    sqe->fd = conns_[index].fd;
    sqe->addr = reinterpret_cast<uint64_t>(&template_);
    sqe->len = 1;
    sqe->flags = IOSQE_BUFFER_SELECT;
    sqe->buf_group = kGroup;
    sqe->ioprio = IORING_RECV_MULTISHOT;
    sqe->user_data = kTagRecv | index;
  }

  io_uring_sqe* next_sqe() {
    if (tail_ - __atomic_load_n(sq_head_, __ATOMIC_ACQUIRE) >= sq_entries_) enter(0);
    io_uring_sqe* sqe = &sqes_[tail_ & sq_mask_];
    std::memset(sqe, 0, sizeof *sqe);
    ++tail_;
    return sqe;
  }

  unsigned pending() {
    __atomic_store_n(sq_tail_, tail_, __ATOMIC_RELEASE);
    return tail_ - submitted_;
  }

  void enter(unsigned min_complete) { enter_with(min_complete, 0, nullptr); }

  void enter_with(unsigned min_complete, unsigned flags, io_uring_getevents_arg* arg) {
    const unsigned submit = pending();
    ++stats_.enters;
    flags |= IORING_ENTER_GETEVENTS | (arg != nullptr ? IORING_ENTER_EXT_ARG : 0u);
    const long r = syscall(__NR_io_uring_enter, fd_, submit, min_complete, flags, arg, arg != nullptr ? sizeof *arg : 0);
    if (r < 0 && errno != EINTR && errno != EBUSY && errno != ETIME) die("io_uring_enter");
    submitted_ = tail_;
  }

  void give_back(uint16_t bid) {
    // Indexed from the ring's start: in C++ the header's flexible-array wrapper is a one-byte
    // struct, which would put `bufs` 8 bytes past where the kernel reads the entries.
    io_uring_buf& b = reinterpret_cast<io_uring_buf*>(buffer_ring_)[(buffer_tail_ + added_) & (kBuffers - 1)];
    b.addr = reinterpret_cast<uint64_t>(buffers_ + static_cast<size_t>(bid) * kBufferBytes);
    b.len = kBufferBytes;
    b.bid = bid;
    ++added_;
  }

  void publish_buffers() {
    buffer_tail_ = static_cast<uint16_t>(buffer_tail_ + added_);
    added_ = 0;
    __atomic_store_n(&buffer_ring_->tail, buffer_tail_, __ATOMIC_RELEASE);
  }

  int fd_ = -1;
  char* rings_ = nullptr;
  size_t rings_bytes_ = 0, sqes_bytes_ = 0;
  io_uring_sqe* sqes_ = nullptr;
  unsigned* sq_head_ = nullptr;
  unsigned* sq_tail_ = nullptr;
  unsigned sq_mask_ = 0, sq_entries_ = 0, cq_entries_ = 0;
  unsigned tail_ = 0, submitted_ = 0;
  unsigned* cq_head_ = nullptr;
  unsigned* cq_tail_ = nullptr;
  unsigned cq_mask_ = 0;
  io_uring_cqe* cqes_ = nullptr;
  io_uring_buf_ring* buffer_ring_ = nullptr;
  char* buffers_ = nullptr;
  uint16_t buffer_tail_ = 0;
  uint16_t added_ = 0;
  msghdr template_{};
};

uint64_t number(const char* flag, const char* text) {
  char* end = nullptr;
  const unsigned long long v = std::strtoull(text, &end, 10);
  if (end == text || *end != '\0') usage((std::string(flag) + ": not a number: " + text).c_str());
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  std::string engine;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) usage((flag + " needs a value").c_str());
    const char* value = argv[++i];
    if (flag == "--engine") {
      engine = value;
    } else if (flag == "--port") {
      o.port = static_cast<int>(number("--port", value));
    } else if (flag == "--rate") {
      o.rate = std::strcmp(value, "max") == 0 ? 0 : number("--rate", value);
      if (o.rate == 0 && std::strcmp(value, "max") != 0) usage("--rate: a positive number or max");
    } else if (flag == "--batch-us") {
      o.batch_ns = number("--batch-us", value) * 1000;
    } else if (flag == "--conns") {
      o.conns = static_cast<int>(number("--conns", value));
    } else if (flag == "--seconds") {
      o.seconds = number("--seconds", value);
    } else if (flag == "--wait") {
      if (std::strcmp(value, "sleep") != 0 && std::strcmp(value, "ring") != 0) usage("--wait: sleep or ring");
      o.ring_wait = std::strcmp(value, "ring") == 0;
    } else {
      usage(("unknown flag " + flag).c_str());
    }
  }
  if (engine != "epoll" && engine != "uring") usage("--engine: epoll or uring");
  if (o.port <= 0 || o.port > 65535) usage("--port: 1-65535");
  if (o.conns <= 0 || o.seconds == 0) usage("--conns and --seconds: positive");
  o.uring = engine == "uring";
  // As the pump: the default 50 us timer slack would add up to 50 us to every window's wake-up.
  prctl(PR_SET_TIMERSLACK, 1, 0, 0, 0);
  Engine* e = o.uring ? static_cast<Engine*>(new UringEngine(o)) : static_cast<Engine*>(new EpollEngine(o));
  e->connect_all();
  e->run();
  e->report(engine.c_str());
  delete e;
  return 0;
}
