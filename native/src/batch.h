// A batch of raw records on its way from the poll thread to JavaScript.
#ifndef DROPCAP_BATCH_H
#define DROPCAP_BATCH_H

#include <chrono>
#include <cstdint>
#include <vector>

namespace dropcap {

struct Batch {
  // `count` struct dropcap_event records, stack tails removed, stack_id set
  std::vector<uint8_t> events;
  // `events` byte-shuffled as the capture format stores them (shuffle.h),
  // when the tracer was asked to (TracerConfig::shuffle_events); else empty
  std::vector<uint8_t> shuffled;
  // stacks first seen in this batch, STACKS block body format
  std::vector<uint8_t> stacks;
  uint32_t count = 0;
  // when the first record arrived: the batch leaves batchMs after it
  std::chrono::steady_clock::time_point first_record;
};

}  // namespace dropcap

#endif  // DROPCAP_BATCH_H
