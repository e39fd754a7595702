#include "tracer_core.h"

#include <errno.h>

#include "errors.h"

namespace dropcap {

namespace {

// JS thread. A Buffer over the vector's memory, lent for one callback: the
// vector stays ours, and Revoke() takes the memory back (batch_pool.h).
Napi::Buffer<uint8_t> LendAsBuffer(Napi::Env env, std::vector<uint8_t>& bytes) {
  if (bytes.empty()) return Napi::Buffer<uint8_t>::New(env, 0);
  return Napi::Buffer<uint8_t>::New(env, bytes.data(), bytes.size());
}

// JS thread. Detaches a lent Buffer's memory: any view JavaScript kept reads
// as empty from now on instead of reading a batch being refilled. False when
// the memory cannot be taken back for sure (then it must never be reused or
// freed): V8 refuses to detach, or JavaScript detached it itself (a transfer
// may have handed the very memory to another ArrayBuffer).
bool Revoke(Napi::Buffer<uint8_t> buffer, size_t lent) {
  if (lent == 0) return true;
  Napi::ArrayBuffer memory = buffer.ArrayBuffer();
  if (memory.IsDetached()) return false;
  if (napi_detach_arraybuffer(buffer.Env(), memory) != napi_ok) return false;
  return memory.IsDetached();
}

// JS thread. Hands the vector's memory to a Buffer without copying and tells
// V8 about it, so a fast producer's batches still trigger garbage collection.
Napi::Buffer<uint8_t> AdoptAsBuffer(Napi::Env env, std::vector<uint8_t>* bytes) {
  if (bytes->empty()) return Napi::Buffer<uint8_t>::New(env, 0);
  auto* owned = new std::vector<uint8_t>(std::move(*bytes));
  const int64_t accounted = static_cast<int64_t>(owned->capacity());
  Napi::MemoryManagement::AdjustExternalMemory(env, accounted);
  return Napi::Buffer<uint8_t>::New(
      env, owned->data(), owned->size(),
      [accounted](Napi::Env finalize_env, uint8_t*, std::vector<uint8_t>* data) {
        Napi::MemoryManagement::AdjustExternalMemory(finalize_env, -accounted);
        delete data;
      },
      owned);
}

}  // namespace

TracerCore::TracerCore(napi_env env, const TracerConfig& config)
    : env_(env),
      gate_(config.max_queued_batches),
      // queued batches, one in the callback and the one being filled
      pool_(static_cast<size_t>(config.max_queued_batches) + 2),
      poll_(config.batch_bytes, config.batch_ms, config.encode_planes, this, &pool_) {}

TracerCore::~TracerCore() = default;

// JS thread.
std::shared_ptr<TracerCore> TracerCore::Start(Napi::Env env, const TracerConfig& config,
                                              const Napi::Function& on_batch) {
  std::shared_ptr<TracerCore> core(new TracerCore(env, config));

  // open, set rodata, load, attach (bootstrap.c order)
  StepFailure failure;
  core->session_ = BpfSession::Start(config, PollLoop::OnRecord, &core->poll_, &failure);
  if (!core->session_) throw StepError(env, failure);
  core->prog_id_ = core->session_->prog_id();
  core->nr_cpus_ = core->session_->nr_cpus();
  core->ring_bytes_per_cpu_ = core->session_->ring_bytes_per_cpu();

  // registered before the TSFN exists; the order of the two cleanup hooks
  // does not matter because the poll thread never blocks inside the TSFN
  napi_status status = napi_add_env_cleanup_hook(env, OnEnvCleanup, core.get());
  if (status != napi_ok) throw Napi::Error::New(env, "registering the environment cleanup hook failed");
  core->env_cleanup_hook_added_ = true;

  // the queue is unbounded here because BatchGate bounds it (batch_gate.h)
  try {
    core->tsfn_ = Tsfn::New(env, on_batch, "dropcap-batches", 0, 1, core.get(), OnTsfnFinalize,
                            static_cast<TsfnFinalizeData*>(nullptr));
  } catch (...) {
    napi_remove_env_cleanup_hook(env, OnEnvCleanup, core.get());
    core->env_cleanup_hook_added_ = false;
    throw;  // ~BpfSession detaches and unloads
  }
  core->self_ = core;

  // poll
  TracerCore* raw = core.get();
  core->thread_ = std::thread([raw] {
    raw->poll_result_.store(raw->poll_.Run(raw->session_->ring(), [raw] { raw->session_->Detach(); }));
    // the last thing this thread does with the TSFN; JS finalizes it once
    // every queued batch has been delivered
    raw->tsfn_.Release();
  });
  return core;
}

// Poll thread.
bool TracerCore::Deliver(std::unique_ptr<Batch> batch) {
  if (!gate_.Acquire()) return false;
  if (tsfn_.NonBlockingCall(batch.get()) != napi_ok) {
    gate_.Release();
    return false;
  }
  batch.release();  // CallJs owns it now
  return true;
}

// JS thread, from the TSFN. env is null when the TSFN is being torn down with
// batches still queued: then only the batch is freed, the core may be gone.
void TracerCore::CallJs(Napi::Env env, Napi::Function on_batch, TracerCore* core, Batch* batch) {
  std::unique_ptr<Batch> owned(batch);
  if (env == nullptr) return;
  core->gate_.Release();
  if (on_batch.IsEmpty()) return;

  Napi::Object js_batch = Napi::Object::New(env);
  js_batch.Set("count", Napi::Number::New(env, owned->count));
  js_batch.Set("stackless", Napi::Number::New(env, owned->stackless));
  if (!core->lend_batches_) {
    js_batch.Set("events", AdoptAsBuffer(env, &owned->events));
    if (!owned->planes_body.empty()) js_batch.Set("planesBody", AdoptAsBuffer(env, &owned->planes_body));
    js_batch.Set("stacks", AdoptAsBuffer(env, &owned->stacks));
    CallOnBatch(on_batch, js_batch);
    return;
  }
  Napi::Buffer<uint8_t> events = LendAsBuffer(env, owned->events);
  Napi::Buffer<uint8_t> planes_body = LendAsBuffer(env, owned->planes_body);
  Napi::Buffer<uint8_t> stacks = LendAsBuffer(env, owned->stacks);
  js_batch.Set("events", events);
  if (!owned->planes_body.empty()) js_batch.Set("planesBody", planes_body);
  js_batch.Set("stacks", stacks);
  std::unique_ptr<Napi::Error> failed = CallOnBatch(on_batch, js_batch, /*defer=*/true);
  const bool events_back = Revoke(events, owned->events.size());
  const bool planes_back = Revoke(planes_body, owned->planes_body.size());
  const bool stacks_back = Revoke(stacks, owned->stacks.size());
  if (events_back && planes_back && stacks_back) {
    core->pool_.Give(std::move(owned));
  } else {
    // JavaScript may still read this memory: never reuse or free it, and
    // adopt the batches from now on (one batch leaked, once)
    core->lend_batches_ = false;
    owned.release();
  }
  if (failed) failed->ThrowAsJavaScriptException();
}

// JS thread. Calls onBatch; an exception it throws is left pending (Node
// reports it as uncaught) or, with `defer`, returned to be thrown later.
std::unique_ptr<Napi::Error> TracerCore::CallOnBatch(const Napi::Function& on_batch, const Napi::Object& js_batch, bool defer) {
  try {
    on_batch.Call({js_batch});
  } catch (const Napi::Error& error) {
    if (defer) return std::make_unique<Napi::Error>(error);
    error.ThrowAsJavaScriptException();
  }
  return nullptr;
}

// JS thread. Idempotent.
Napi::Value TracerCore::Stop(Napi::Env env) {
  Napi::Promise::Deferred deferred = Napi::Promise::Deferred::New(env);
  Napi::Promise promise = deferred.Promise();
  stop_waiters_.push_back(std::move(deferred));
  if (state_ == State::kStopped) {
    SettleStopPromises(env);
  } else if (state_ == State::kRunning) {
    state_ = State::kStopping;
    poll_.RequestStop();
  }
  return promise;
}

// JS thread.
void TracerCore::SettleStopPromises(Napi::Env env) {
  const int result = poll_result_.load();
  std::vector<Napi::Promise::Deferred> waiters;
  waiters.swap(stop_waiters_);
  for (Napi::Promise::Deferred& waiter : waiters) {
    if (result < 0 && result != -ECANCELED) {
      StepFailure failure{"polling the ring buffer", -result, ""};
      waiter.Reject(StepError(env, failure).Value());
    } else {
      waiter.Resolve(env.Undefined());
    }
  }
}

// JS thread. The poll thread has released the TSFN, or the environment is
// going away.
void TracerCore::OnTsfnFinalize(Napi::Env env, TsfnFinalizeData*, TracerCore* core) {
  core->Teardown();
  core->state_ = State::kStopped;
  if (!core->env_cleaning_up_) core->SettleStopPromises(env);
  core->self_.reset();  // may delete core: last
}

// JS thread, while the environment shuts down (process exit, worker end)
// without stop() having finished: stop polling now, keep nothing.
void TracerCore::OnEnvCleanup(void* arg) {
  auto* core = static_cast<TracerCore*>(arg);
  core->env_cleaning_up_ = true;
  core->env_cleanup_hook_added_ = false;  // Node removes a hook as it runs it
  core->poll_.Abort();
  core->gate_.Abort();
  core->Teardown();
}

// JS thread. Join, keep the final counters, free the BPF side in reverse
// order (ring reader, link, skeleton). Idempotent.
void TracerCore::Teardown() {
  if (torn_down_) return;
  torn_down_ = true;
  // the thread is past its last TSFN call or aborted: it cannot block
  if (thread_.joinable()) thread_.join();
  if (session_) {
    final_counters_error_ = session_->ReadCounters(&final_counters_);
    session_.reset();
  }
  if (env_cleanup_hook_added_) {
    napi_remove_env_cleanup_hook(env_, OnEnvCleanup, this);
    env_cleanup_hook_added_ = false;
  }
}

// JS thread.
int TracerCore::ReadCounters(std::vector<std::vector<uint64_t>>* out) {
  if (session_) return session_->ReadCounters(out);
  if (final_counters_error_ == 0) *out = final_counters_;
  return final_counters_error_;
}

}  // namespace dropcap
