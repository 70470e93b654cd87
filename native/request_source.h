// request_source.h: where each request's bytes come from. The pump asks its own source once per
// request it sends; a source never blocks, never allocates once warm and never calls JavaScript.
//
//   Pump ──next(seq, now, &conn.request)──> RequestSource ──> StaticSource   (one fixed request)
//                                                          └─> (templates, scripts: see factory)
//
// One source per pump, so a source may keep per-pump state (a PRNG, a cursor) without locks.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>

#include "plan.h"
#include "request_bytes.h"
#include "script_channels.h"

namespace ratetest {

class RequestSource {
 public:
  virtual ~RequestSource() = default;

  // Fills *out with the bytes of the run's global request number `seq` (k = n*T + i for pump i
  // of T: unique across pumps without any shared counter), due now or earlier (`now_ns` is the
  // pump's clock this turn). Returns the request's name index (for per-name statistics), or -1
  // when no request is ready yet (a script source running behind): the pump then keeps the
  // request queued with its latency clock running and asks again later.
  virtual int next(uint64_t seq, uint64_t now_ns, RequestBytes* out) = 0;

  // Whether responses to requests of this name carry no body whatever they say (HEAD).
  virtual bool head(int name) const = 0;

  // How many request names have statistics of their own (next() returns 0 .. names()-1);
  // 0 = the run reports totals only.
  virtual int names() const { return 0; }

  // The largest request this source expects to produce, so connections can size their buffers
  // before the run instead of growing them during it. 0 = the source never uses the buffer.
  virtual size_t max_bytes_hint() const { return 0; }
};

// The current single request of the plan, served from the plan's own bytes: a plain run costs
// one virtual call per request and no copy.
class StaticSource final : public RequestSource {
 public:
  explicit StaticSource(const RunPlan& plan) : plan_(plan) {}
  int next(uint64_t, uint64_t, RequestBytes* out) override {
    out->data = plan_.request.data();
    out->size = plan_.request.size();
    return 0;
  }
  bool head(int) const override { return plan_.head_request; }

 private:
  const RunPlan& plan_;
};

// The source the plan asks for, for pump `pump_index` (script: its channels in a script run).
// Called before the pump thread starts.
std::unique_ptr<RequestSource> make_request_source(const RunPlan& plan, uint32_t pump_index, ScriptChannels* script);

}  // namespace ratetest
