// Tracer: the JavaScript class of native/index.d.ts. A thin shell over
// TracerCore that converts arguments and results.
#ifndef DROPCAP_TRACER_H
#define DROPCAP_TRACER_H

#include <napi.h>

#include <memory>
#include <string>

#include "tracer_core.h"

namespace dropcap {

class Tracer : public Napi::ObjectWrap<Tracer> {
 public:
  // JS thread, at module init.
  static Napi::Function DefineClass(Napi::Env env);

  // JS thread. new Tracer(options, onBatch): opens, loads, attaches, polls.
  explicit Tracer(const Napi::CallbackInfo& info);

 private:
  Napi::Value GetAttach(const Napi::CallbackInfo& info);
  Napi::Value GetNrCpus(const Napi::CallbackInfo& info);
  Napi::Value GetProgId(const Napi::CallbackInfo& info);
  Napi::Value GetRingBytesPerCpu(const Napi::CallbackInfo& info);
  Napi::Value Counters(const Napi::CallbackInfo& info);
  Napi::Value Stop(const Napi::CallbackInfo& info);

  std::string attach_;
  std::shared_ptr<TracerCore> core_;
};

}  // namespace dropcap

#endif  // DROPCAP_TRACER_H
