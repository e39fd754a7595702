// TracerConfig: the Tracer's options (native/index.d.ts TracerOptions) read
// out of JavaScript once, so no other code touches napi values.
#ifndef DROPCAP_OPTIONS_H
#define DROPCAP_OPTIONS_H

#include <napi.h>

#include <cstdint>
#include <string>
#include <vector>

namespace dropcap {

enum class AttachMethod { kTpBtf, kRawTp, kTracepoint };

// values of the BPF program's stack_mode
enum class StackMode : uint32_t { kNone = 0, kDefault = 1, kAll = 2 };

constexpr size_t kMaxReasonFilters = 16;

struct TracerFilters {
  uint8_t family = 0;  // 0, 4 or 6
  uint16_t port = 0;
  uint16_t sport = 0;
  uint16_t dport = 0;
  uint8_t host_family = 0;  // 0: no host filter
  uint8_t host[16] = {};
  uint32_t netns = 0;
  std::vector<uint32_t> reasons;
  bool reason_exclude = false;
};

struct TracerConfig {
  AttachMethod attach = AttachMethod::kTpBtf;
  std::string attach_name;
  // tp_btf only: the program that reads packet bytes by plain loads
  // (dropcap_tp_btf_pkt, kernel 6.17+) instead of a helper call
  bool packet_loads = false;
  uint32_t ring_bytes = 0;
  uint64_t wakeup_bytes = 0;
  size_t batch_bytes = 0;
  uint32_t batch_ms = 0;
  uint32_t max_queued_batches = 0;
  // also hand each batch's events over as a deflate-planes block body
  // (Batch::planes_body)
  bool encode_planes = false;
  TracerFilters filters;
  StackMode stack_mode = StackMode::kDefault;
  uint32_t stack_budget_per_sec = 0;
};

// JS thread. Fills *config from a TracerOptions object; on a wrong type it
// throws a JavaScript TypeError (C++ exceptions are on) naming the option.
void ParseTracerOptions(const Napi::Object& options, TracerConfig* config);

}  // namespace dropcap

#endif  // DROPCAP_OPTIONS_H
