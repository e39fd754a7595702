#include "planes.h"

#include <algorithm>
#include <cstring>

namespace dropcap {

namespace {

// Byte p of a record is byte p % 8 of its word p / 8, both in memory and
// in the masks below (bits 8k..8k+7 of a word are its byte k).
#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "PlanesEncoder assumes a little-endian CPU"
#endif

uint64_t Load64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// Word w of a record: bytes 8w..8w+7, zero past the record's end.
uint64_t LoadTailWord(const uint8_t* record, size_t record_size, size_t w) {
  uint64_t v = 0;
  std::memcpy(&v, record + w * 8, std::min<size_t>(8, record_size - w * 8));
  return v;
}

uint8_t ByteOf(const std::vector<uint64_t>& words, size_t p) {
  uint8_t b;
  std::memcpy(&b, reinterpret_cast<const uint8_t*>(words.data()) + p, 1);
  return b;
}

}  // namespace

PlanesEncoder::PlanesEncoder() {
  // raw deflate (negative window bits), 32 KiB window, default memLevel
  ready_ = deflateInit2(&zlib_, 1, Z_DEFLATED, -15, 8, Z_RLE) == Z_OK;
}

PlanesEncoder::~PlanesEncoder() {
  if (ready_) deflateEnd(&zlib_);
}

void PlanesEncoder::Begin(size_t record_size, size_t capacity) {
  record_size_ = record_size;
  words_ = (record_size + 7) / 8;
  capacity_ = capacity;
  count_ = 0;
  overflowed_ = false;
  first_.assign(words_, 0);
  varies_.assign(words_, 0);
  varying_.clear();
  // kept across batches: only the pages of varying planes are ever touched
  if (planes_.size() < record_size * capacity) planes_.resize(record_size * capacity);
}

// Bytes of word `word` marked in `fresh` vary from record count_ - 1 on:
// until then each plane held the first record's byte, so it starts as that.
void PlanesEncoder::StartPlanes(size_t word, uint64_t fresh) {
  const size_t r = count_ - 1;
  for (size_t k = 0; k < 8; k++) {
    if (((fresh >> (8 * k)) & 0xff) == 0) continue;
    const size_t p = word * 8 + k;
    varies_[word] |= uint64_t{0xff} << (8 * k);
    std::memset(planes_.data() + p * capacity_, ByteOf(first_, p), r);
    varying_.push_back(static_cast<uint32_t>(p));
  }
}

bool PlanesEncoder::Add(const uint8_t* record) {
  if (count_ == capacity_) {
    overflowed_ = true;
    return false;
  }
  const size_t r = count_++;
  if (r == 0) {
    std::memcpy(first_.data(), record, record_size_);
  } else {
    // while the record is in the cache: one XOR per 8 bytes, and no branch
    // until a byte differs that did not before (a few times per batch)
    const uint64_t* first = first_.data();
    const uint64_t* varies = varies_.data();
    const size_t whole = record_size_ / 8;
    uint64_t fresh = 0;
    for (size_t w = 0; w < whole; w++) fresh |= (Load64(record + w * 8) ^ first[w]) & ~varies[w];
    if (whole < words_) fresh |= (LoadTailWord(record, record_size_, whole) ^ first[whole]) & ~varies[whole];
    if (fresh != 0) {
      for (size_t w = 0; w < words_; w++) {
        const uint64_t word = w < whole ? Load64(record + w * 8) : LoadTailWord(record, record_size_, w);
        const uint64_t fresh_in_word = (word ^ first_[w]) & ~varies_[w];
        if (fresh_in_word != 0) StartPlanes(w, fresh_in_word);
      }
    }
  }
  uint8_t* const planes = planes_.data() + r;
  const uint32_t* const varying = varying_.data();
  const size_t n = varying_.size();
  const size_t stride = capacity_;
  for (size_t i = 0; i < n; i++) planes[varying[i] * stride] = record[varying[i]];
  return true;
}

bool PlanesEncoder::Finish(std::vector<uint8_t>* body) {
  body->clear();
  if (overflowed_ || !ready_ || deflateReset(&zlib_) != Z_OK) return false;
  const size_t mask_bytes = (record_size_ + 7) / 8;
  // without records no plane is constant: all are varying, and empty
  const bool any = count_ > 0;
  size_t varying = 0;
  for (size_t p = 0; p < record_size_; p++) varying += (!any || ByteOf(varies_, p) != 0) ? 1 : 0;
  const size_t head = mask_bytes + (record_size_ - varying);
  const size_t bound = deflateBound(&zlib_, static_cast<uLong>(varying * count_));
  body->assign(head + bound, 0);

  uint8_t* value = body->data() + mask_bytes;
  for (size_t p = 0; p < record_size_ && any; p++) {
    if (ByteOf(varies_, p) != 0) continue;
    (*body)[p / 8] |= static_cast<uint8_t>(1u << (p % 8));
    *value++ = ByteOf(first_, p);
  }

  // the planes in plane order, one deflate stream; the bound guarantees
  // that each call takes all of its input and the last one finishes
  std::sort(varying_.begin(), varying_.end());
  zlib_.next_out = body->data() + head;
  zlib_.avail_out = static_cast<uInt>(bound);
  int rc = Z_OK;
  for (size_t i = 0; i < varying_.size() && rc == Z_OK; i++) {
    zlib_.next_in = planes_.data() + varying_[i] * capacity_;
    zlib_.avail_in = static_cast<uInt>(count_);
    rc = deflate(&zlib_, Z_NO_FLUSH);
    // input left over would be skipped silently: treat it as the failure it is
    if (rc == Z_OK && zlib_.avail_in != 0) rc = Z_BUF_ERROR;
  }
  if (rc == Z_OK) rc = deflate(&zlib_, Z_FINISH);
  if (rc != Z_STREAM_END) {
    body->clear();
    return false;
  }
  body->resize(head + zlib_.total_out);
  return true;
}

}  // namespace dropcap
