#include "poll_thread.h"

#include <errno.h>
#include <sys/prctl.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <thread>

#include <linux/types.h>  // dropcap.h uses __u64 and friends

#include "dropcap.h"

namespace dropcap {

namespace {

constexpr size_t kEventSize = sizeof(struct dropcap_event);

// Records submitted with BPF_RB_NO_WAKEUP never wake epoll, so the ring is
// also consumed on this period: it bounds how long an event waits in the
// ring when the wakeup threshold is not reached.
constexpr int kMaxPollMs = 10;

// OnRecord's way to make libbpf return from ring_buffer__consume() once the
// batch is full. libbpf advances the consumer past the record before
// returning, so the record that filled the batch is not seen twice.
constexpr int kBatchFull = -EFBIG;

// After detaching, programs already running on other CPUs may still be
// between reserve and submit; libbpf stops at such a busy record. One late
// pass after this pause collects them.
constexpr auto kDetachSettle = std::chrono::milliseconds(5);

}  // namespace

PollLoop::PollLoop(size_t batch_bytes, uint32_t batch_ms, bool encode_planes, BatchSink* sink, BatchPool* pool)
    : batch_bytes_(std::max<size_t>(batch_bytes, kEventSize)),
      batch_ms_(batch_ms),
      encode_planes_(encode_planes),
      sink_(sink),
      pool_(pool) {
  StartBatch();
}

void PollLoop::StartBatch() {
  batch_ = pool_->Take();
  batch_->events.reserve(batch_bytes_ + kEventSize);
  // Append stops a batch at the first record that reaches batch_bytes_
  if (encode_planes_) planes_.Begin(kEventSize, batch_bytes_ / kEventSize + 1);
}

// Poll thread.
int PollLoop::OnRecord(void* ctx, void* data, size_t size) {
  return static_cast<PollLoop*>(ctx)->Append(static_cast<const uint8_t*>(data), size);
}

// Poll thread. The ring memory is only valid during this call: copy.
int PollLoop::Append(const uint8_t* record, size_t size) {
  if (size < kEventSize) return 0;  // not ours; cannot happen with our program
  Batch& batch = *batch_;
  if (batch.count == 0) batch.first_record = std::chrono::steady_clock::now();

  const size_t offset = batch.events.size();
  batch.events.insert(batch.events.end(), record, record + kEventSize);
  auto* event = reinterpret_cast<struct dropcap_event*>(batch.events.data() + offset);
  event->stack_id = 0;

  if ((event->flags & DROPCAP_F_STACK) && event->stack_frames > 0) {
    // the BPF side wrote stack_frames; never trust it past the record's end
    const size_t room = (size - kEventSize) / sizeof(uint64_t);
    const uint16_t frames = static_cast<uint16_t>(
        std::min<size_t>({event->stack_frames, room, DROPCAP_MAX_STACK_DEPTH}));
    // ring records are 8-byte aligned and 120 is a multiple of 8
    const auto* tail = reinterpret_cast<const uint64_t*>(record + kEventSize);
    event->stack_frames = static_cast<uint8_t>(frames);
    event->stack_id =
        stacks_.Intern(tail, frames, (event->flags & DROPCAP_F_STACK_TRUNC) != 0, &batch.stacks);
  }
  batch.count++;
  if (event->stack_id == 0) batch.stackless++;
  if (encode_planes_) planes_.Add(batch.events.data() + offset);
  return batch.events.size() >= batch_bytes_ ? kBatchFull : 0;
}

bool PollLoop::BatchIsDue() const {
  if (batch_->count == 0) return false;
  if (batch_->events.size() >= batch_bytes_) return true;
  return std::chrono::steady_clock::now() - batch_->first_record >= std::chrono::milliseconds(batch_ms_);
}

// Poll thread. False when the sink refused (teardown).
bool PollLoop::Flush() {
  if (batch_->count == 0) return true;
  std::unique_ptr<Batch> full = std::move(batch_);
  // without a body (zlib failed) the writer encodes the events itself
  if (encode_planes_) planes_.Finish(&full->planes_body);
  StartBatch();
  return sink_->Deliver(std::move(full));
}

// Poll thread. Consumes until every CPU's ring is empty, delivering full
// batches on the way: ring_buffer__consume() walks the rings in order and
// returns as soon as a batch fills, so the loop goes round again until a
// pass finds nothing more than fits. 0, or a negative errno from libbpf.
int PollLoop::ConsumeAll(ring_buffer* ring) {
  for (;;) {
    int n = ring_buffer__consume(ring);
    if (n == kBatchFull) {
      if (!Flush()) return -ECANCELED;
      continue;
    }
    return n < 0 ? n : 0;
  }
}

// Poll thread.
int PollLoop::Run(ring_buffer* ring, const std::function<void()>& detach) {
  prctl(PR_SET_NAME, "dropcap-poll");
  const int poll_ms = std::max(1, std::min<int>(kMaxPollMs, static_cast<int>(batch_ms_)));
  int result = 0;

  while (!stop_requested_.load() && !aborted_.load()) {
    // wakes early when the BPF side forces a wakeup (threshold crossed)
    int n = ring_buffer__poll(ring, poll_ms);
    if (n == kBatchFull) {
      if (!Flush()) return -ECANCELED;
    } else if (n < 0 && n != -EINTR) {
      result = n;
      break;
    }
    // NO_WAKEUP records: epoll did not see them
    n = ConsumeAll(ring);
    if (n == -ECANCELED) return n;
    if (n < 0 && n != -EINTR) {
      result = n;
      break;
    }
    if (BatchIsDue() && !Flush()) return -ECANCELED;
  }
  if (aborted_.load()) return -ECANCELED;

  // stop: detach first so the drain has an end and every event the kernel
  // counted as seen is either in the ring or counted lost
  detach();
  ConsumeAll(ring);
  std::this_thread::sleep_for(kDetachSettle);
  int n = ConsumeAll(ring);
  if (n == -ECANCELED) return n;
  if (!Flush()) return -ECANCELED;
  return result;
}

}  // namespace dropcap
