// result.h: a run's measurements as plain JS data (numbers and Float64Arrays), merged over pumps.
// Safe to call while pumps run: it only reads their single-writer counters.
#pragma once
#include <napi.h>

#include "run.h"

namespace ratetest {

Napi::Object snapshot_to_js(Napi::Env env, const Run& run);

// Every interval the pumps have queued since the last call, as
// [{pump, first, last, endNs, due, sent, completed, errors, status, corrected, uncorrected}, ...].
// finished: the pumps are done; their last intervals, which found no room in a ring, come too.
Napi::Array intervals_to_js(Napi::Env env, Run& run, bool finished);

// The final result: the snapshot's fields plus what only exists once every pump has finished.
Napi::Object result_to_js(Napi::Env env, const Run& run);

}  // namespace ratetest
