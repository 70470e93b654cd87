// run.cc: runs every registered native unit test and ends with one "N passed, N failed" line.
#include "check.h"

int main() {
  int passed = 0;
  int failed = 0;
  for (const check::Case& c : check::cases()) {
    const int before = check::failures();
    c.body();
    if (check::failures() == before) {
      ++passed;
    } else {
      ++failed;
      std::cerr << "failed: " << c.name << "\n";
    }
  }
  std::cout << passed << " passed, " << failed << " failed\n";
  return failed == 0 ? 0 : 1;
}
