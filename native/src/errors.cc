#include "errors.h"

#include <string.h>

namespace dropcap {

// Any thread.
std::string ErrnoName(int error) {
  const char* name = strerrorname_np(error);
  return name ? name : "E" + std::to_string(error);
}

// JS thread.
Napi::Error StepError(Napi::Env env, const StepFailure& failure) {
  const std::string code = ErrnoName(failure.error);
  Napi::Error error = Napi::Error::New(env, failure.step + " failed (" + code + ")");
  error.Set("code", Napi::String::New(env, code));
  error.Set("errno", Napi::Number::New(env, failure.error));
  error.Set("step", Napi::String::New(env, failure.step));
  if (!failure.libbpf_log.empty()) error.Set("libbpfLog", Napi::String::New(env, failure.libbpf_log));
  return error;
}

}  // namespace dropcap
