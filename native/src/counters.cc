#include "counters.h"

#include <linux/types.h>  // dropcap.h uses __u64 and friends

#include "dropcap.h"

namespace dropcap {

namespace {

struct CounterName {
  enum dropcap_counter index;
  const char* name;
};

// the names of docs/capture-format.md's STATS block
constexpr CounterName kCounterNames[] = {
    {DROPCAP_CNT_SEEN, "seen"},
    {DROPCAP_CNT_RB_LOST, "ringbuf_lost"},
    {DROPCAP_CNT_STACK_BUDGET, "stack_budget"},
    {DROPCAP_CNT_STACK_ERROR, "stack_error"},
    {DROPCAP_CNT_FILTERED, "filtered"},
    {DROPCAP_CNT_NOT_TCP, "not_tcp"},
    {DROPCAP_CNT_BAD_HEADER, "bad_header"},
};
static_assert(sizeof(kCounterNames) / sizeof(kCounterNames[0]) == DROPCAP_CNT_MAX,
              "every dropcap_counter needs a name");

}  // namespace

// JS thread.
Napi::Object CountersToObject(Napi::Env env, const std::vector<std::vector<uint64_t>>& per_cpu) {
  Napi::Object out = Napi::Object::New(env);
  for (const CounterName& counter : kCounterNames) {
    const std::vector<uint64_t>& values = per_cpu[counter.index];
    Napi::Array array = Napi::Array::New(env, values.size());
    // counts stay far below 2^53, where a double is exact
    for (size_t cpu = 0; cpu < values.size(); cpu++)
      array.Set(static_cast<uint32_t>(cpu), Napi::Number::New(env, static_cast<double>(values[cpu])));
    out.Set(counter.name, array);
  }
  return out;
}

}  // namespace dropcap
