#include "clocks.h"

#include <time.h>

#include <cstdint>

namespace dropcap {

namespace {

uint64_t ReadClock(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ULL + static_cast<uint64_t>(ts.tv_nsec);
}

}  // namespace

// JS thread.
Napi::Value Clocks(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  // realtime in the middle: the pair (monotonic, realtime) is at most one
  // clock read apart either way
  const uint64_t monotonic = ReadClock(CLOCK_MONOTONIC);
  const uint64_t realtime = ReadClock(CLOCK_REALTIME);
  const uint64_t boottime = ReadClock(CLOCK_BOOTTIME);
  Napi::Object out = Napi::Object::New(env);
  out.Set("monotonic_ns", Napi::BigInt::New(env, monotonic));
  out.Set("realtime_ns", Napi::BigInt::New(env, realtime));
  out.Set("boottime_ns", Napi::BigInt::New(env, boottime));
  return out;
}

}  // namespace dropcap
