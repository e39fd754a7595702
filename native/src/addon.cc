// dropcap's native addon: module init. Exports Tracer, clocks and EVENT_SIZE
// (native/index.d.ts).
#include <napi.h>

#include "clocks.h"
#include <linux/types.h>  // dropcap.h uses __u64 and friends

#include "dropcap.h"
#include "libbpf_log.h"
#include "tracer.h"

namespace dropcap {

// JS thread, once per environment.
Napi::Object Init(Napi::Env env, Napi::Object exports) {
  InstallLibbpfLog();
  exports.Set("Tracer", Tracer::DefineClass(env));
  exports.Set("clocks", Napi::Function::New(env, Clocks, "clocks"));
  exports.Set("EVENT_SIZE", Napi::Number::New(env, sizeof(struct dropcap_event)));
  return exports;
}

}  // namespace dropcap

static Napi::Object InitDropcap(Napi::Env env, Napi::Object exports) { return dropcap::Init(env, exports); }

NODE_API_MODULE(dropcap, InitDropcap)
