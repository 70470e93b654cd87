// run.cc: thread lifecycle. Threads meet only at the start gate and at the end (the last one
// out reports completion); in between they share nothing but the stop flag.
#include "run.h"

#include <cstring>
#include <string>

namespace ratetest {

Run::Run(RunPlan plan) : plan_(std::move(plan)), gate_(plan_.threads) {}

std::unique_ptr<Run> Run::create(RunPlan plan, std::unique_ptr<TlsContext> tls, std::string* error_out) {
  std::unique_ptr<Run> run(new Run(std::move(plan)));
  run->tls_ = std::move(tls);
  const RunPlan::Script& script = run->plan_.script;
  for (uint32_t i = 0; i < run->plan_.threads && script.enabled; ++i) {
    run->scripts_.push_back(std::make_unique<ScriptChannels>(script.request_ring_bytes, script.response_ring_bytes));
  }
  for (uint32_t i = 0; i < run->plan_.threads; ++i) {
    auto pump = std::make_unique<Pump>(run->plan_, i, &run->gate_, &run->stop_, run->tls_.get(), run->script(i));
    if (pump->init_error() != 0) {
      *error_out = std::string("cannot set up ") + pump->init_step() + ": " + std::strerror(pump->init_error());
      return nullptr;
    }
    run->pumps_.push_back(std::move(pump));
  }
  return run;
}

Run::~Run() {
  stop();
  join();
}

void Run::start(std::function<void()> on_finished) {
  on_finished_ = std::move(on_finished);
  running_.store(static_cast<uint32_t>(pumps_.size()));
  for (auto& pump : pumps_) {
    Pump* p = pump.get();
    threads_.emplace_back([this, p] {
      p->run();
      if (running_.fetch_sub(1) == 1 && on_finished_) on_finished_();
    });
  }
}

void Run::stop() {
  stop_.store(true);
  for (auto& pump : pumps_) pump->wake();
}

void Run::stop_pump(uint32_t pump) {
  if (pump >= scripts_.size()) return;
  scripts_[pump]->stop.store(true);
  pumps_[pump]->wake();
}

void Run::join() {
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

}  // namespace ratetest
