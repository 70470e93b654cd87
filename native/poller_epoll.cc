// poller_epoll.cc: Linux. Level-triggered, so one read per readiness is enough (no extra read to
// find EAGAIN). The timeout goes to epoll_pwait2 in nanoseconds; kernels before 5.11 lack it, and
// there a timerfd armed at the absolute deadline does the same job.
#include <errno.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <cstdlib>

#include "poller.h"

#ifndef __NR_epoll_pwait2
#define __NR_epoll_pwait2 441
#endif

namespace ratetest {
namespace {

constexpr uint64_t kWakeToken = ~0ull;
constexpr uint64_t kTimerToken = ~0ull - 1;

uint32_t interest(bool want_write) { return EPOLLIN | EPOLLRDHUP | (want_write ? EPOLLOUT : 0u); }

}  // namespace

Poller::Poller(int max_events)
    : native_events_(calloc(static_cast<size_t>(max_events), sizeof(epoll_event))), max_events_(max_events) {
  if (native_events_ == nullptr) {
    init_error_ = ENOMEM;
    return;
  }
  fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (fd_ < 0) {
    init_error_ = errno;
    return;
  }
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) {
    init_error_ = errno;
    return;
  }
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kWakeToken;
  if (epoll_ctl(fd_, EPOLL_CTL_ADD, wake_fd_, &ev) != 0) init_error_ = errno;
}

Poller::~Poller() {
  if (timer_fd_ >= 0) close(timer_fd_);
  if (wake_fd_ >= 0) close(wake_fd_);
  if (fd_ >= 0) close(fd_);
  free(native_events_);
}

bool Poller::add(int fd, uint64_t token, bool want_write) {
  epoll_event ev{};
  ev.events = interest(want_write);
  ev.data.u64 = token;
  return epoll_ctl(fd_, EPOLL_CTL_ADD, fd, &ev) == 0;
}

bool Poller::modify(int fd, uint64_t token, bool want_write) {
  epoll_event ev{};
  ev.events = interest(want_write);
  ev.data.u64 = token;
  return epoll_ctl(fd_, EPOLL_CTL_MOD, fd, &ev) == 0;
}

void Poller::remove(int fd) { epoll_ctl(fd_, EPOLL_CTL_DEL, fd, nullptr); }

int Poller::wait(PollEvent* events, uint64_t deadline_ns, uint64_t now_ns) {
  epoll_event* raw = static_cast<epoll_event*>(native_events_);
  const uint64_t timeout_ns = deadline_ns > now_ns ? deadline_ns - now_ns : 0;
  int n;
  if (timer_fd_ < 0) {
    timespec ts{static_cast<time_t>(timeout_ns / 1000000000ull), static_cast<long>(timeout_ns % 1000000000ull)};
    n = static_cast<int>(syscall(__NR_epoll_pwait2, fd_, raw, max_events_, &ts, nullptr, 0));
    if (n < 0 && errno == ENOSYS) {
      timer_fd_ = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.u64 = kTimerToken;
      if (timer_fd_ < 0 || epoll_ctl(fd_, EPOLL_CTL_ADD, timer_fd_, &ev) != 0) abort();
    }
  }
  if (timer_fd_ >= 0) {
    itimerspec spec{};
    const uint64_t at = deadline_ns > now_ns ? deadline_ns : now_ns + 1;
    spec.it_value = {static_cast<time_t>(at / 1000000000ull), static_cast<long>(at % 1000000000ull)};
    timerfd_settime(timer_fd_, TFD_TIMER_ABSTIME, &spec, nullptr);
    n = epoll_wait(fd_, raw, max_events_, -1);
  }
  if (n < 0) return 0;  // EINTR: the caller re-reads the clock and loops
  int out = 0;
  for (int i = 0; i < n; ++i) {
    const uint64_t token = raw[i].data.u64;
    if (token == kWakeToken || token == kTimerToken) {
      uint64_t drained;
      ssize_t ignored = read(token == kWakeToken ? wake_fd_ : timer_fd_, &drained, sizeof drained);
      (void)ignored;
      continue;
    }
    const uint32_t e = raw[i].events;
    events[out].token = token;
    events[out].readable = (e & (EPOLLIN | EPOLLRDHUP)) != 0;
    events[out].writable = (e & EPOLLOUT) != 0;
    events[out].failed = (e & (EPOLLERR | EPOLLHUP)) != 0;
    ++out;
  }
  return out;
}

void Poller::wake() {
  const uint64_t one = 1;
  ssize_t ignored = write(wake_fd_, &one, sizeof one);
  (void)ignored;
}

}  // namespace ratetest
