// poller.h: readiness notification for one pump thread (epoll on Linux, kqueue on macOS/BSD).
// Waits take an absolute deadline in nanoseconds: the schedule needs wake-ups precise to tens of
// microseconds, which millisecond timeouts (epoll_wait, wrk2's ae timers) cannot give.
#pragma once
#include <cstdint>

namespace ratetest {

struct PollEvent {
  uint64_t token;
  bool readable;
  bool writable;
  bool failed;  // error or hang-up: the next read or write reports what happened
};

class Poller {
 public:
  // max_events: the most events one wait() returns; its buffer is allocated here, once.
  explicit Poller(int max_events);
  ~Poller();
  Poller(const Poller&) = delete;
  Poller& operator=(const Poller&) = delete;

  // 0 when ready, else the errno of the failed set-up.
  int init_error() const { return init_error_; }

  // Readability is always watched; writability only while want_write (connecting, or a write
  // that did not fit the socket buffer), so an idle connection costs no wake-ups.
  bool add(int fd, uint64_t token, bool want_write);
  bool modify(int fd, uint64_t token, bool want_write);
  // Stops watching fd (--io-engine io_uring: a connected socket is the ring's from then on).
  void remove(int fd);
  // What --io-engine io_uring polls through its ring, so connects and wake() end a ring wait.
  int fd() const { return fd_; }

  // Blocks until an event, wake(), or deadline_ns (CLOCK_MONOTONIC) passes. Writes at most
  // max_events events and returns how many (0 on timeout or wake-up).
  int wait(PollEvent* events, uint64_t deadline_ns, uint64_t now_ns);

  // Interrupts wait() from another thread (stop()).
  void wake();

 private:
  int fd_ = -1;
  int wake_fd_ = -1;   // eventfd (epoll); unused with kqueue, which has EVFILT_USER
  int timer_fd_ = -1;  // epoll only: timerfd fallback when the kernel lacks epoll_pwait2
  int init_error_ = 0;
  void* native_events_ = nullptr;  // epoll_event or kevent array of max_events_
  int max_events_ = 0;
};

}  // namespace ratetest
