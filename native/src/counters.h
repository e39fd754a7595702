// Kernel counters as the KernelCounters object of native/index.d.ts.
#ifndef DROPCAP_COUNTERS_H
#define DROPCAP_COUNTERS_H

#include <napi.h>

#include <cstdint>
#include <vector>

namespace dropcap {

// JS thread. per_cpu[counter][cpu], counter indexed by enum dropcap_counter;
// keys are the STATS block's names (seen, ringbuf_lost, ...).
Napi::Object CountersToObject(Napi::Env env, const std::vector<std::vector<uint64_t>>& per_cpu);

}  // namespace dropcap

#endif  // DROPCAP_COUNTERS_H
