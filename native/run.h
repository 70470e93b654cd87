// run.h: a run's pump threads: start, stop flag, join. The only place threads are created.
#pragma once
#include <atomic>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "plan.h"
#include "pump.h"
#include "script_channels.h"

namespace ratetest {

class Run {
 public:
  // Builds every pump (all allocation happens here). Returns nullptr with *error_out set to a
  // message when a pump cannot be set up. tls: the context for an https run, else nullptr.
  static std::unique_ptr<Run> create(RunPlan plan, std::unique_ptr<TlsContext> tls, std::string* error_out);
  ~Run();

  // on_finished runs on the last pump thread to finish.
  void start(std::function<void()> on_finished);
  void stop();
  void join();

  const RunPlan& plan() const { return plan_; }
  const std::vector<std::unique_ptr<Pump>>& pumps() const { return pumps_; }
  // A script run's channels to pump i, else nullptr.
  ScriptChannels* script(uint32_t pump) const { return pump < scripts_.size() ? scripts_[pump].get() : nullptr; }
  // wrk.thread:stop(): pump i's schedule ends now; the others go on.
  void stop_pump(uint32_t pump);

 private:
  explicit Run(RunPlan plan);

  RunPlan plan_;
  std::unique_ptr<TlsContext> tls_;  // https only; shared by every pump
  StartGate gate_;
  std::atomic<bool> stop_{false};
  std::atomic<uint32_t> running_{0};
  std::vector<std::unique_ptr<ScriptChannels>> scripts_;  // before pumps_: pumps point into them
  std::vector<std::unique_ptr<Pump>> pumps_;
  std::vector<std::thread> threads_;
  std::function<void()> on_finished_;
};

}  // namespace ratetest
