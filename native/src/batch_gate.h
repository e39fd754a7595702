// BatchGate bounds how many batches wait for JavaScript.
//
// The poll thread takes a slot before queueing a batch and the JS thread
// gives it back after the callback ran. When JavaScript falls behind the poll
// thread waits here, stops consuming, the BPF ring fills and the kernel counts
// the losses (DROPCAP_CNT_RB_LOST): backpressure ends in the kernel, never in
// unbounded memory.
//
// This plays the part of a bounded ThreadSafeFunction queue with
// BlockingCall, with one difference that matters: the wait can be cancelled.
// A thread blocked inside BlockingCall can only be released by the JS thread
// draining the queue, so joining it from the JS thread (environment cleanup)
// would deadlock. Abort() releases the waiter instead.
#ifndef DROPCAP_BATCH_GATE_H
#define DROPCAP_BATCH_GATE_H

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>

namespace dropcap {

class BatchGate {
 public:
  explicit BatchGate(uint32_t max_queued) : max_queued_(max_queued ? max_queued : 1) {}

  // Poll thread. Waits for a free slot; false once aborted.
  bool Acquire() {
    std::unique_lock<std::mutex> lock(mutex_);
    slot_free_.wait(lock, [this] { return aborted_ || queued_ < max_queued_; });
    if (aborted_) return false;
    queued_++;
    return true;
  }

  // JS thread (after the callback) or poll thread (a queueing that failed).
  void Release() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (queued_ > 0) queued_--;
    }
    slot_free_.notify_one();
  }

  // Any thread. Wakes and fails every current and future Acquire().
  void Abort() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      aborted_ = true;
    }
    slot_free_.notify_all();
  }

 private:
  const uint32_t max_queued_;
  std::mutex mutex_;
  std::condition_variable slot_free_;
  uint32_t queued_ = 0;
  bool aborted_ = false;
};

}  // namespace dropcap

#endif  // DROPCAP_BATCH_GATE_H
