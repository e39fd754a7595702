// dropcap's native addon: module init. Exports Tracer, clocks, encodePlanes
// and EVENT_SIZE (native/index.d.ts).
#include <napi.h>

#include "clocks.h"
#include <linux/types.h>  // dropcap.h uses __u64 and friends

#include "dropcap.h"
#include "libbpf_log.h"
#include "planes.h"
#include "tracer.h"

namespace dropcap {

namespace {

// JS thread. encodePlanes(records, recordSize): the body the poll thread
// makes of each batch (tests compare it with the format package's).
Napi::Value EncodePlanesJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsBuffer() || !info[1].IsNumber()) {
    throw Napi::TypeError::New(env, "encodePlanes(records: Buffer, recordSize: number)");
  }
  auto records = info[0].As<Napi::Buffer<uint8_t>>();
  const int64_t size = info[1].As<Napi::Number>().Int64Value();
  if (size <= 0 || size > 65536 || records.Length() % static_cast<size_t>(size) != 0) {
    throw Napi::RangeError::New(env, "records is not a whole number of recordSize-byte records (1 to 65536 bytes)");
  }
  const size_t record_size = static_cast<size_t>(size);
  const size_t count = records.Length() / record_size;
  std::vector<uint8_t> body;
  PlanesEncoder encoder;
  encoder.Begin(record_size, count);
  for (size_t r = 0; r < count; r++) encoder.Add(records.Data() + r * record_size);
  if (!encoder.Finish(&body)) {
    throw Napi::Error::New(env, "zlib could not deflate the planes");
  }
  return Napi::Buffer<uint8_t>::Copy(env, body.data(), body.size());
}

}  // namespace

// JS thread, once per environment.
Napi::Object Init(Napi::Env env, Napi::Object exports) {
  InstallLibbpfLog();
  exports.Set("Tracer", Tracer::DefineClass(env));
  exports.Set("clocks", Napi::Function::New(env, Clocks, "clocks"));
  exports.Set("encodePlanes", Napi::Function::New(env, EncodePlanesJs, "encodePlanes"));
  exports.Set("EVENT_SIZE", Napi::Number::New(env, sizeof(struct dropcap_event)));
  return exports;
}

}  // namespace dropcap

static Napi::Object InitDropcap(Napi::Env env, Napi::Object exports) { return dropcap::Init(env, exports); }

NODE_API_MODULE(dropcap, InitDropcap)
