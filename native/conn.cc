// conn.cc: socket set-up and the connection containers. Nothing here runs per request except
// DeadlineList, which is O(1).
#include "conn.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cstring>

namespace ratetest {

void DeadlineList::push_back(int32_t index, uint64_t deadline_ns) {
  Conn& conn = (*conns_)[index];
  conn.deadline_ns = deadline_ns;
  conn.prev = tail_;
  conn.next = -1;
  if (tail_ >= 0) {
    (*conns_)[tail_].next = index;
  } else {
    head_ = index;
  }
  tail_ = index;
}

void DeadlineList::insert(int32_t index, uint64_t deadline_ns) {
  int32_t before = tail_;
  while (before >= 0 && (*conns_)[before].deadline_ns > deadline_ns) before = (*conns_)[before].prev;
  Conn& conn = (*conns_)[index];
  conn.deadline_ns = deadline_ns;
  conn.prev = before;
  conn.next = before >= 0 ? (*conns_)[before].next : head_;
  if (conn.next >= 0) {
    (*conns_)[conn.next].prev = index;
  } else {
    tail_ = index;
  }
  if (before >= 0) {
    (*conns_)[before].next = index;
  } else {
    head_ = index;
  }
}

void DeadlineList::remove(int32_t index) {
  Conn& conn = (*conns_)[index];
  if (conn.prev < 0 && head_ != index) return;  // not on this list
  if (conn.prev >= 0) {
    (*conns_)[conn.prev].next = conn.next;
  } else {
    head_ = conn.next;
  }
  if (conn.next >= 0) {
    (*conns_)[conn.next].prev = conn.prev;
  } else {
    tail_ = conn.prev;
  }
  conn.prev = conn.next = -1;
}

int start_connect(const sockaddr_storage& address, socklen_t address_length, int* error_out) {
  const int fd = socket(address.ss_family, SOCK_STREAM, 0);
  if (fd < 0) {
    *error_out = errno;
    return -1;
  }
  const int one = 1;
  if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) != 0) {
    *error_out = errno;
    close(fd);
    return -1;
  }
  // Requests are small and sent whole; Nagle would hold one back waiting for an ACK.
  if (address.ss_family != AF_UNIX) setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
#ifdef SO_NOSIGPIPE
  setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one);
#endif
#ifdef SO_TIMESTAMPNS
  // The kernel stamps each segment as it arrives; see receive() for why.
  setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
#endif
  if (connect(fd, reinterpret_cast<const sockaddr*>(&address), address_length) != 0 && errno != EINPROGRESS) {
    *error_out = errno;
    close(fd);
    return -1;
  }
  return fd;
}

int connect_result(int fd) {
  int error = 0;
  socklen_t length = sizeof error;
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0) return errno;
  return error;
}

}  // namespace ratetest

namespace ratetest {

uint64_t arrived_ns_of(const msghdr& message, const ClockOffset& clock, uint64_t now_ns) {
  uint64_t arrived_ns = now_ns;
#ifdef SO_TIMESTAMPNS
  for (cmsghdr* c = CMSG_FIRSTHDR(&message); c != nullptr; c = CMSG_NXTHDR(const_cast<msghdr*>(&message), c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_TIMESTAMPNS) continue;
    timespec stamp;
    std::memcpy(&stamp, CMSG_DATA(c), sizeof stamp);
    const uint64_t realtime_ns = static_cast<uint64_t>(stamp.tv_sec) * 1000000000ull + static_cast<uint64_t>(stamp.tv_nsec);
    const uint64_t arrived = realtime_ns - clock.realtime_minus_monotonic_ns;
    // A clock step between the stamp and now could put it in the future; never trust that.
    if (arrived < now_ns) arrived_ns = arrived;
  }
#else
  (void)message;
  (void)clock;
#endif
  return arrived_ns;
}

ssize_t receive(int fd, char* buffer, size_t length, const ClockOffset& clock, uint64_t now_ns, uint64_t* arrived_ns) {
  *arrived_ns = now_ns;
#ifdef SO_TIMESTAMPNS
  iovec iov{buffer, length};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(timespec))];
  msghdr message{};
  message.msg_iov = &iov;
  message.msg_iovlen = 1;
  message.msg_control = control;
  message.msg_controllen = sizeof control;
  const ssize_t n = recvmsg(fd, &message, 0);
  if (n <= 0) return n;
  *arrived_ns = arrived_ns_of(message, clock, now_ns);
  return n;
#else
  (void)clock;
  return recv(fd, buffer, length, 0);
#endif
}

}  // namespace ratetest
