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
  // `events` as a deflate-planes block body (planes.h), when the tracer was
  // asked to (TracerConfig::encode_planes) and zlib did not fail; else empty
  std::vector<uint8_t> planes_body;
  // stacks first seen in this batch, STACKS block body format
  std::vector<uint8_t> stacks;
  uint32_t count = 0;
  // records without a stack (stack_id 0): the recorder reports them, and
  // counting them here, while each record is in the cache, spares JavaScript
  // a second pass over every batch of a storm
  uint32_t stackless = 0;
  // when the first record arrived: the batch leaves batchMs after it
  std::chrono::steady_clock::time_point first_record;
};

}  // namespace dropcap

#endif  // DROPCAP_BATCH_H
