// dropcap's native addon: module init. Exports Tracer, clocks, shuffleRecords
// and EVENT_SIZE (native/index.d.ts).
#include <napi.h>

#include "clocks.h"
#include <linux/types.h>  // dropcap.h uses __u64 and friends

#include "dropcap.h"
#include "libbpf_log.h"
#include "shuffle.h"
#include "tracer.h"

namespace dropcap {

namespace {

// JS thread. shuffleRecords(records, recordSize): the shuffle the poll thread
// applies to batches, on a copy (tests compare it with the format package's).
Napi::Value ShuffleRecordsJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsBuffer() || !info[1].IsNumber()) {
    throw Napi::TypeError::New(env, "shuffleRecords(records: Buffer, recordSize: number)");
  }
  auto records = info[0].As<Napi::Buffer<uint8_t>>();
  const int64_t size = info[1].As<Napi::Number>().Int64Value();
  if (size <= 0 || records.Length() % static_cast<size_t>(size) != 0) {
    throw Napi::RangeError::New(env, "records is not a whole number of recordSize-byte records");
  }
  auto out = Napi::Buffer<uint8_t>::New(env, records.Length());
  ShuffleRecords(records.Data(), records.Length() / static_cast<size_t>(size), static_cast<size_t>(size), out.Data());
  return out;
}

}  // namespace

// JS thread, once per environment.
Napi::Object Init(Napi::Env env, Napi::Object exports) {
  InstallLibbpfLog();
  exports.Set("Tracer", Tracer::DefineClass(env));
  exports.Set("clocks", Napi::Function::New(env, Clocks, "clocks"));
  exports.Set("shuffleRecords", Napi::Function::New(env, ShuffleRecordsJs, "shuffleRecords"));
  exports.Set("EVENT_SIZE", Napi::Number::New(env, sizeof(struct dropcap_event)));
  return exports;
}

}  // namespace dropcap

static Napi::Object InitDropcap(Napi::Env env, Napi::Object exports) { return dropcap::Init(env, exports); }

NODE_API_MODULE(dropcap, InitDropcap)
