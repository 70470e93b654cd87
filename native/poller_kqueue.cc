// poller_kqueue.cc: macOS and the BSDs. kevent's timeout is a timespec, so the deadline keeps its
// nanoseconds; EVFILT_USER carries wake(). Read and write interest are separate filters, and write
// interest is switched on only while it is wanted, as with epoll.
#include <errno.h>
#include <sys/event.h>
#include <sys/time.h>
#include <sys/types.h>
#include <unistd.h>

#include <cstdlib>

#include "poller.h"

namespace ratetest {
namespace {

constexpr uintptr_t kWakeIdent = 1;

}  // namespace

Poller::Poller(int max_events)
    : native_events_(calloc(static_cast<size_t>(max_events), sizeof(struct kevent))), max_events_(max_events) {
  if (native_events_ == nullptr) {
    init_error_ = ENOMEM;
    return;
  }
  fd_ = kqueue();
  if (fd_ < 0) {
    init_error_ = errno;
    return;
  }
  struct kevent ev;
  EV_SET(&ev, kWakeIdent, EVFILT_USER, EV_ADD | EV_CLEAR, 0, 0, nullptr);
  if (kevent(fd_, &ev, 1, nullptr, 0, nullptr) != 0) init_error_ = errno;
}

Poller::~Poller() {
  if (fd_ >= 0) close(fd_);
  free(native_events_);
}

bool Poller::add(int fd, uint64_t token, bool want_write) {
  struct kevent ev[2];
  void* udata = reinterpret_cast<void*>(static_cast<uintptr_t>(token));
  EV_SET(&ev[0], fd, EVFILT_READ, EV_ADD, 0, 0, udata);
  EV_SET(&ev[1], fd, EVFILT_WRITE, EV_ADD | (want_write ? EV_ENABLE : EV_DISABLE), 0, 0, udata);
  return kevent(fd_, ev, 2, nullptr, 0, nullptr) == 0;
}

// EV_ADD on a registered filter updates it, so modifying is adding again.
bool Poller::modify(int fd, uint64_t token, bool want_write) { return add(fd, token, want_write); }

void Poller::remove(int fd) {
  struct kevent ev[2];
  EV_SET(&ev[0], fd, EVFILT_READ, EV_DELETE, 0, 0, nullptr);
  EV_SET(&ev[1], fd, EVFILT_WRITE, EV_DELETE, 0, 0, nullptr);
  kevent(fd_, ev, 2, nullptr, 0, nullptr);
}

int Poller::wait(PollEvent* events, uint64_t deadline_ns, uint64_t now_ns) {
  struct kevent* raw = static_cast<struct kevent*>(native_events_);
  const uint64_t timeout_ns = deadline_ns > now_ns ? deadline_ns - now_ns : 0;
  timespec ts{static_cast<time_t>(timeout_ns / 1000000000ull), static_cast<long>(timeout_ns % 1000000000ull)};
  const int n = kevent(fd_, nullptr, 0, raw, max_events_, &ts);
  if (n < 0) return 0;
  int out = 0;
  for (int i = 0; i < n; ++i) {
    if (raw[i].filter == EVFILT_USER) continue;
    events[out].token = static_cast<uint64_t>(reinterpret_cast<uintptr_t>(raw[i].udata));
    events[out].readable = raw[i].filter == EVFILT_READ;
    events[out].writable = raw[i].filter == EVFILT_WRITE;
    events[out].failed = (raw[i].flags & EV_ERROR) != 0;
    ++out;
  }
  return out;
}

void Poller::wake() {
  struct kevent ev;
  EV_SET(&ev, kWakeIdent, EVFILT_USER, 0, NOTE_TRIGGER, 0, nullptr);
  kevent(fd_, &ev, 1, nullptr, 0, nullptr);
}

}  // namespace ratetest
