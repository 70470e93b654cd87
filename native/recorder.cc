// recorder.cc: allocation happens here, once, before the run starts.
#include "recorder.h"

namespace ratetest {

Recorder::Recorder(uint64_t seconds_in_run)
    : seconds(seconds_in_run == 0 ? 1 : seconds_in_run), per_second(std::make_unique<Counter[]>(seconds)),
      opened_per_second(std::make_unique<Counter[]>(seconds)) {}

}  // namespace ratetest
