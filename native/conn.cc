// conn.cc: socket set-up and the connection containers. Nothing here runs per request except
// DeadlineList, which is O(1).
#include "conn.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <unistd.h>

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

void DeadlineList::remove(int32_t index) {
  Conn& conn = (*conns_)[index];
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
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
#ifdef SO_NOSIGPIPE
  setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one);
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
