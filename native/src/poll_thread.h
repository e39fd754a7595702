// PollLoop: the body of the dedicated poll thread. It consumes the BPF ring
// buffers (one per CPU, all behind one libbpf ring_buffer, so events of
// different CPUs arrive interleaved, not in global time order), copies each 120-byte event into the current batch, moves stack
// tails into the recording's StackTable, and hands batches to a BatchSink by
// size or by age.
#ifndef DROPCAP_POLL_THREAD_H
#define DROPCAP_POLL_THREAD_H

#include <bpf/libbpf.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>

#include "batch.h"
#include "batch_pool.h"
#include "planes.h"
#include "stack_table.h"

namespace dropcap {

class BatchSink {
 public:
  virtual ~BatchSink() = default;
  // Poll thread. Queues a batch for JavaScript, waiting while the queue is
  // full. False when the tracer is being torn down (the batch is dropped).
  virtual bool Deliver(std::unique_ptr<Batch> batch) = 0;
};

class PollLoop {
 public:
  // `pool` gives the batches to fill and takes them back once JS is done
  PollLoop(size_t batch_bytes, uint32_t batch_ms, bool encode_planes, BatchSink* sink, BatchPool* pool);

  // ring_buffer_sample_fn, called inside ring_buffer__poll/consume on the
  // poll thread; ctx is the PollLoop.
  static int OnRecord(void* ctx, void* data, size_t size);

  // Poll thread. Runs until RequestStop() (then detach() is called, the
  // ring is drained and the last batch delivered) or Abort() (then pending
  // records are abandoned). Returns 0 or the negative errno that ended it.
  int Run(ring_buffer* ring, const std::function<void()>& detach);

  // Any thread.
  void RequestStop() { stop_requested_.store(true); }
  void Abort() { aborted_.store(true); }

 private:
  int Append(const uint8_t* record, size_t size);
  int ConsumeAll(ring_buffer* ring);
  bool Flush();
  bool BatchIsDue() const;
  void StartBatch();

  const size_t batch_bytes_;
  const uint32_t batch_ms_;
  const bool encode_planes_;
  PlanesEncoder planes_;
  BatchSink* const sink_;
  BatchPool* const pool_;
  std::unique_ptr<Batch> batch_;
  StackTable stacks_;
  std::atomic<bool> stop_requested_{false};
  std::atomic<bool> aborted_{false};
};

}  // namespace dropcap

#endif  // DROPCAP_POLL_THREAD_H
