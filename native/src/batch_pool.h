// BatchPool recycles batches between the poll thread and the JS thread.
//
// In a drop storm the poll thread fills a 2 MiB batch every ~4 ms. A fresh
// batch per fill costs a fresh mapping (malloc hands blocks this big to mmap,
// so every page faults in zeroed), and handing its memory over to V8 as
// external memory makes V8 run a full garbage collection every few dozen
// batches: together about a third of the recorder's CPU in a storm. The JS
// thread instead lends a batch's memory to JavaScript for the duration of
// the callback only, then gives the batch back here for the poll thread to
// fill again.
#ifndef DROPCAP_BATCH_POOL_H
#define DROPCAP_BATCH_POOL_H

#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include "batch.h"

namespace dropcap {

class BatchPool {
 public:
  // keeps at most `capacity` idle batches: as many as can be in flight
  explicit BatchPool(size_t capacity) : capacity_(capacity ? capacity : 1) {}

  // Poll thread. An empty batch whose buffers keep their capacity.
  std::unique_ptr<Batch> Take() {
    std::unique_ptr<Batch> batch;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!idle_.empty()) {
        batch = std::move(idle_.back());
        idle_.pop_back();
      }
    }
    if (!batch) return std::make_unique<Batch>();
    batch->events.clear();
    // planes_body is not cleared: the poll thread replaces it (PollLoop::Flush)
    batch->stacks.clear();
    batch->count = 0;
    batch->stackless = 0;
    return batch;
  }

  // Any thread.
  void Give(std::unique_ptr<Batch> batch) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (idle_.size() < capacity_) idle_.push_back(std::move(batch));
  }

 private:
  const size_t capacity_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<Batch>> idle_;
};

}  // namespace dropcap

#endif  // DROPCAP_BATCH_POOL_H
