// The capture format's deflate-planes body (docs/capture-format.md, codec 3),
// made on the poll thread as the batch fills: which bytes of the records are
// the same in every record of the batch, their values, and the other bytes
// byte-shuffled into one plane each and deflated. packages/format's
// splitPlanes() and encodePlanes() are the reference;
// test/kernel/native-smoke.test.ts compares them.
//
// Why here, and why record by record: in a drop storm ~95% of a batch's
// planes are constant (the flow, the site, the reason, the high bytes of the
// time...). Shuffling every byte and then finding the constant planes in
// JavaScript was the recorder's largest cost (~30% of its CPU). Comparing
// each record with the batch's first while it is still in the cache, and
// copying out only the bytes found varying, leaves a handful of byte copies
// per record and no second pass over a batch larger than the cache. Node's
// zlib then cost more in its JavaScript (a Transform stream per call) than
// in deflating; here one zlib stream serves every batch.
#ifndef DROPCAP_PLANES_H
#define DROPCAP_PLANES_H

#include <cstddef>
#include <cstdint>
#include <vector>

#include <zlib.h>

namespace dropcap {

// One batch at a time: Begin, Add each record, Finish. The body is
//   a bitmap of ceil(record_size / 8) bytes, bit p (byte p / 8, bit p % 8)
//   set when byte p is the same in every record (none with no records);
//   the value of each such constant plane, one byte each, in plane order;
//   the other planes (byte p of every record, `count` bytes each), in plane
//   order, deflated as the format's writer deflates event blocks
//   (EVENTS_DEFLATE: raw deflate, level 1, Z_RLE).
class PlanesEncoder {
 public:
  PlanesEncoder();
  ~PlanesEncoder();
  PlanesEncoder(const PlanesEncoder&) = delete;
  PlanesEncoder& operator=(const PlanesEncoder&) = delete;

  // Starts a batch of at most `capacity` records of `record_size` bytes.
  void Begin(size_t record_size, size_t capacity);

  // Adds the batch's next record. False, and not added, past `capacity`:
  // the batch then gets no body.
  bool Add(const uint8_t* record);

  // Replaces *body with the body of the records added since Begin. False
  // (and *body empty) if a record did not fit or zlib failed, e.g. out of
  // memory: a body missing records would make a block no reader can decode.
  bool Finish(std::vector<uint8_t>* body);

 private:
  void StartPlanes(size_t word, uint64_t fresh);

  size_t record_size_ = 0;
  size_t words_ = 0;
  size_t capacity_ = 0;
  size_t count_ = 0;
  bool overflowed_ = false;
  // the batch's first record, in 8-byte words (the last zero-padded)
  std::vector<uint64_t> first_;
  // per word, 0xff in each byte found varying so far
  std::vector<uint64_t> varies_;
  // offsets of the varying bytes, in the order found
  std::vector<uint32_t> varying_;
  // plane p at p * capacity_; only varying planes are written
  std::vector<uint8_t> planes_;
  z_stream zlib_{};
  bool ready_ = false;
};

}  // namespace dropcap

#endif  // DROPCAP_PLANES_H
