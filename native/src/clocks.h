// clocks(): the three clocks a capture needs to turn bpf_ktime_get_ns()
// (CLOCK_MONOTONIC) into wall time, read back to back.
#ifndef DROPCAP_CLOCKS_H
#define DROPCAP_CLOCKS_H

#include <napi.h>

namespace dropcap {

// JS thread. { monotonic_ns, realtime_ns, boottime_ns } as BigInt.
Napi::Value Clocks(const Napi::CallbackInfo& info);

}  // namespace dropcap

#endif  // DROPCAP_CLOCKS_H
