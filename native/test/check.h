// check.h: the native unit tests' harness: TEST registers a case, CHECK and CHECK_EQ record a
// failure (with file, line and both values) and let the case go on. main() in run.cc runs them.
#pragma once
#include <cstdint>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace check {

struct Case {
  const char* name;
  void (*body)();
};

inline std::vector<Case>& cases() {
  static std::vector<Case> all;
  return all;
}

inline int& failures() {
  static int count = 0;
  return count;
}

struct Register {
  Register(const char* name, void (*body)()) { cases().push_back(Case{name, body}); }
};

inline void fail(const char* file, int line, const std::string& what) {
  ++failures();
  std::cerr << file << ":" << line << ": " << what << "\n";
}

template <typename A, typename B>
void equal(const A& actual, const B& expected, const char* text, const char* file, int line) {
  if (actual == expected) return;
  std::ostringstream out;
  out << "CHECK_EQ(" << text << "): got " << actual << ", expected " << expected;
  fail(file, line, out.str());
}

}  // namespace check

#define CHECK_JOIN2(a, b) a##b
#define CHECK_JOIN(a, b) CHECK_JOIN2(a, b)
#define TEST(name)                                                                   \
  static void CHECK_JOIN(test_body_, __LINE__)();                                    \
  static const ::check::Register CHECK_JOIN(test_register_, __LINE__)(name, CHECK_JOIN(test_body_, __LINE__)); \
  static void CHECK_JOIN(test_body_, __LINE__)()
#define CHECK(condition) \
  ((condition) ? (void)0 : ::check::fail(__FILE__, __LINE__, "CHECK(" #condition ") failed"))
#define CHECK_EQ(actual, expected) ::check::equal((actual), (expected), #actual ", " #expected, __FILE__, __LINE__)
