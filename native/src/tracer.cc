#include "tracer.h"

#include "counters.h"
#include "errors.h"
#include "options.h"

namespace dropcap {

// JS thread.
Napi::Function Tracer::DefineClass(Napi::Env env) {
  return ObjectWrap<Tracer>::DefineClass(
      env, "Tracer",
      {
          InstanceAccessor<&Tracer::GetAttach>("attach"),
          InstanceAccessor<&Tracer::GetNrCpus>("nrCpus"),
          InstanceAccessor<&Tracer::GetProgId>("progId"),
          InstanceAccessor<&Tracer::GetRingBytesPerCpu>("ringBytesPerCpu"),
          InstanceMethod<&Tracer::Counters>("counters"),
          InstanceMethod<&Tracer::Stop>("stop"),
      });
}

// JS thread.
Tracer::Tracer(const Napi::CallbackInfo& info) : ObjectWrap<Tracer>(info) {
  Napi::Env env = info.Env();
  if (!info[0].IsObject()) throw Napi::TypeError::New(env, "options must be an object");
  if (!info[1].IsFunction()) throw Napi::TypeError::New(env, "onBatch must be a function");
  TracerConfig config;
  ParseTracerOptions(info[0].As<Napi::Object>(), &config);
  attach_ = config.attach_name;
  core_ = TracerCore::Start(env, config, info[1].As<Napi::Function>());
}

// JS thread.
Napi::Value Tracer::GetAttach(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), attach_); }

// JS thread.
Napi::Value Tracer::GetNrCpus(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), core_->nr_cpus());
}

// JS thread.
Napi::Value Tracer::GetProgId(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), core_->prog_id());
}

// JS thread.
Napi::Value Tracer::GetRingBytesPerCpu(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), core_->ring_bytes_per_cpu());
}

// JS thread.
Napi::Value Tracer::Counters(const Napi::CallbackInfo& info) {
  std::vector<std::vector<uint64_t>> per_cpu;
  int err = core_->ReadCounters(&per_cpu);
  if (err) throw StepError(info.Env(), StepFailure{"reading the counters map", -err, ""});
  return CountersToObject(info.Env(), per_cpu);
}

// JS thread.
Napi::Value Tracer::Stop(const Napi::CallbackInfo& info) { return core_->Stop(info.Env()); }

}  // namespace dropcap
