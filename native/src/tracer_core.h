// TracerCore: one recording's machinery, shared by the Tracer JS object, the
// poll thread and the ThreadSafeFunction that carries batches to JS.
//
// Threads:
//   JS thread   Start, Stop, ReadCounters, CallJs, OnTsfnFinalize,
//               OnEnvCleanup, Teardown
//   poll thread PollLoop::Run and Deliver
//
// Lifecycle: Start loads and attaches (BpfSession) and starts the poll
// thread. Stop sets the stop flag; the poll thread detaches, drains, delivers
// the last batch and releases the TSFN; once JS has taken every batch, the
// TSFN finalizer (JS thread) joins the thread, which has nothing left to
// block on, frees the BPF side and resolves the stop promises. If the
// environment goes away first, OnEnvCleanup aborts the poll thread, joins it
// and frees the BPF side.
#ifndef DROPCAP_TRACER_CORE_H
#define DROPCAP_TRACER_CORE_H

#include <napi.h>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "batch.h"
#include "batch_gate.h"
#include "bpf_session.h"
#include "options.h"
#include "poll_thread.h"

namespace dropcap {

class TracerCore : public BatchSink {
 public:
  // JS thread. Throws a JavaScript Error (see errors.h) if a step fails.
  static std::shared_ptr<TracerCore> Start(Napi::Env env, const TracerConfig& config,
                                           const Napi::Function& on_batch);

  // JS thread. A promise that settles once the poll thread has exited and
  // the BPF side is freed. Idempotent.
  Napi::Value Stop(Napi::Env env);

  // JS thread. Live per-CPU counters while attached, the final ones after.
  // Returns 0 or a negative errno.
  int ReadCounters(std::vector<std::vector<uint64_t>>* out);

  // Poll thread (BatchSink).
  bool Deliver(std::unique_ptr<Batch> batch) override;

  uint32_t prog_id() const { return prog_id_; }
  int nr_cpus() const { return nr_cpus_; }
  uint32_t ring_bytes_per_cpu() const { return ring_bytes_per_cpu_; }

  ~TracerCore() override;

 private:
  struct TsfnFinalizeData {};
  static void CallJs(Napi::Env env, Napi::Function on_batch, TracerCore* core, Batch* batch);
  static std::unique_ptr<Napi::Error> CallOnBatch(const Napi::Function& on_batch, const Napi::Object& js_batch, bool defer = false);
  using Tsfn = Napi::TypedThreadSafeFunction<TracerCore, Batch, CallJs>;

  TracerCore(napi_env env, const TracerConfig& config);

  static void OnTsfnFinalize(Napi::Env env, TsfnFinalizeData* data, TracerCore* core);
  static void OnEnvCleanup(void* arg);
  void Teardown();
  void SettleStopPromises(Napi::Env env);

  enum class State { kRunning, kStopping, kStopped };

  const napi_env env_;
  BatchGate gate_;
  // before poll_, which takes batches from it
  BatchPool pool_;
  PollLoop poll_;
  std::unique_ptr<BpfSession> session_;
  Tsfn tsfn_;
  std::thread thread_;
  std::atomic<int> poll_result_{0};

  State state_ = State::kRunning;
  bool torn_down_ = false;
  bool env_cleanup_hook_added_ = false;
  bool env_cleaning_up_ = false;
  // JS thread. Batches are lent to JavaScript and recycled (batch_pool.h)
  // while V8 agrees to detach them after the callback.
  bool lend_batches_ = true;
  std::vector<Napi::Promise::Deferred> stop_waiters_;
  std::vector<std::vector<uint64_t>> final_counters_;
  int final_counters_error_ = -ENODATA;
  uint32_t prog_id_ = 0;
  int nr_cpus_ = 0;
  uint32_t ring_bytes_per_cpu_ = 0;

  // keeps this object alive until the TSFN is finalized, whoever else lets go
  std::shared_ptr<TracerCore> self_;
};

}  // namespace dropcap

#endif  // DROPCAP_TRACER_CORE_H
