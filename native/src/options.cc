#include "options.h"

#include <cstring>

namespace dropcap {

namespace {

[[noreturn]] void Fail(Napi::Env env, const std::string& what) {
  throw Napi::TypeError::New(env, what);
}

uint64_t ReadUint(const Napi::Object& obj, const char* key, uint64_t max, const char* path) {
  Napi::Value value = obj.Get(key);
  if (!value.IsNumber()) Fail(obj.Env(), std::string(path) + " must be a number");
  double number = value.As<Napi::Number>().DoubleValue();
  if (!(number >= 0) || number > static_cast<double>(max) || number != static_cast<uint64_t>(number))
    Fail(obj.Env(), std::string(path) + " must be an integer from 0 to " + std::to_string(max));
  return static_cast<uint64_t>(number);
}

Napi::Object ReadObject(const Napi::Object& obj, const char* key, const char* path) {
  Napi::Value value = obj.Get(key);
  if (!value.IsObject()) Fail(obj.Env(), std::string(path) + " must be an object");
  return value.As<Napi::Object>();
}

AttachMethod ReadAttach(const Napi::Object& options, std::string* name) {
  Napi::Value value = options.Get("attach");
  if (!value.IsString()) Fail(options.Env(), "options.attach must be a string");
  *name = value.As<Napi::String>().Utf8Value();
  if (*name == "tp_btf") return AttachMethod::kTpBtf;
  if (*name == "raw_tp") return AttachMethod::kRawTp;
  if (*name == "tracepoint") return AttachMethod::kTracepoint;
  Fail(options.Env(), "options.attach must be 'tp_btf', 'raw_tp' or 'tracepoint'");
}

uint8_t ReadFamily(const Napi::Object& obj, const char* key, const char* path, bool allow_any) {
  uint64_t family = ReadUint(obj, key, 6, path);
  if (family == 4 || family == 6 || (allow_any && family == 0)) return static_cast<uint8_t>(family);
  Fail(obj.Env(), std::string(path) + (allow_any ? " must be 0, 4 or 6" : " must be 4 or 6"));
}

void ReadFilters(const Napi::Object& filters, TracerFilters* out) {
  out->family = ReadFamily(filters, "family", "filters.family", true);
  out->port = static_cast<uint16_t>(ReadUint(filters, "port", 65535, "filters.port"));
  out->sport = static_cast<uint16_t>(ReadUint(filters, "sport", 65535, "filters.sport"));
  out->dport = static_cast<uint16_t>(ReadUint(filters, "dport", 65535, "filters.dport"));
  out->netns = static_cast<uint32_t>(ReadUint(filters, "netns", UINT32_MAX, "filters.netns"));

  Napi::Value host = filters.Get("host");
  if (!host.IsUndefined() && !host.IsNull()) {
    if (!host.IsBuffer() || host.As<Napi::Buffer<uint8_t>>().Length() != 16)
      Fail(filters.Env(), "filters.host must be a 16-byte Buffer");
    std::memcpy(out->host, host.As<Napi::Buffer<uint8_t>>().Data(), 16);
    out->host_family = ReadFamily(filters, "hostFamily", "filters.hostFamily", false);
  }

  Napi::Value reasons = filters.Get("reasons");
  if (!reasons.IsArray()) Fail(filters.Env(), "filters.reasons must be an array");
  Napi::Array list = reasons.As<Napi::Array>();
  if (list.Length() > kMaxReasonFilters)
    Fail(filters.Env(), "filters.reasons holds at most 16 values");
  for (uint32_t i = 0; i < list.Length(); i++)
    out->reasons.push_back(static_cast<uint32_t>(ReadUint(list, std::to_string(i).c_str(), UINT32_MAX,
                                                          "filters.reasons[]")));

  Napi::Value exclude = filters.Get("reasonExclude");
  if (!exclude.IsBoolean()) Fail(filters.Env(), "filters.reasonExclude must be a boolean");
  out->reason_exclude = exclude.As<Napi::Boolean>().Value();
}

void ReadStacks(const Napi::Object& stacks, TracerConfig* config) {
  Napi::Value mode = stacks.Get("mode");
  std::string name = mode.IsString() ? mode.As<Napi::String>().Utf8Value() : "";
  if (name == "none")
    config->stack_mode = StackMode::kNone;
  else if (name == "default")
    config->stack_mode = StackMode::kDefault;
  else if (name == "all")
    config->stack_mode = StackMode::kAll;
  else
    Fail(stacks.Env(), "stacks.mode must be 'none', 'default' or 'all'");
  config->stack_budget_per_sec = static_cast<uint32_t>(
      ReadUint(stacks, "budgetPerCpuPerSec", UINT32_MAX, "stacks.budgetPerCpuPerSec"));
}

}  // namespace

// JS thread.
void ParseTracerOptions(const Napi::Object& options, TracerConfig* config) {
  config->attach = ReadAttach(options, &config->attach_name);
  const Napi::Value packet_loads = options.Get("packetLoads");
  if (!packet_loads.IsUndefined() && !packet_loads.IsBoolean()) Fail(options.Env(), "options.packetLoads must be a boolean");
  config->packet_loads = packet_loads.IsBoolean() && packet_loads.As<Napi::Boolean>().Value();
  if (config->packet_loads && config->attach != AttachMethod::kTpBtf) Fail(options.Env(), "options.packetLoads needs attach 'tp_btf'");
  config->ring_bytes = static_cast<uint32_t>(ReadUint(options, "ringBytes", 1U << 31, "options.ringBytes"));
  config->wakeup_bytes = ReadUint(options, "wakeupBytes", UINT32_MAX, "options.wakeupBytes");
  config->batch_bytes = ReadUint(options, "batchBytes", 1U << 30, "options.batchBytes");
  config->batch_ms = static_cast<uint32_t>(ReadUint(options, "batchMs", 3600000, "options.batchMs"));
  config->max_queued_batches =
      static_cast<uint32_t>(ReadUint(options, "maxQueuedBatches", 1U << 20, "options.maxQueuedBatches"));
  if (config->max_queued_batches == 0) Fail(options.Env(), "options.maxQueuedBatches must be at least 1");
  const Napi::Value encode = options.Get("encodePlanes");
  if (!encode.IsUndefined() && !encode.IsBoolean()) Fail(options.Env(), "options.encodePlanes must be a boolean");
  config->encode_planes = encode.IsBoolean() && encode.As<Napi::Boolean>().Value();
  ReadFilters(ReadObject(options, "filters", "options.filters"), &config->filters);
  ReadStacks(ReadObject(options, "stacks", "options.stacks"), config);
}

}  // namespace dropcap
