#include "shuffle.h"

#include <cstring>

namespace dropcap {

namespace {

uint32_t Load32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

void Store32(uint8_t* p, uint32_t v) { std::memcpy(p, &v, sizeof v); }

void ShuffleBytes(const uint8_t* in, size_t first, size_t count, size_t record_size, uint8_t* out) {
  for (size_t r = first; r < count; r++) {
    const uint8_t* record = in + r * record_size;
    for (size_t i = 0; i < record_size; i++) out[i * count + r] = record[i];
  }
}

}  // namespace

void ShuffleRecords(const uint8_t* in, size_t count, size_t record_size, uint8_t* out) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  if (record_size % 4 == 0) {
    // Four records at a time: word w of each is 16 bytes, and a 4x4 byte
    // transpose turns them into one 32-bit store to each of word w's 4
    // planes (byte k of a plane word belongs to record r + k).
    const size_t whole = count & ~size_t{3};
    for (size_t r = 0; r < whole; r += 4) {
      const uint8_t* rec = in + r * record_size;
      for (size_t w = 0; w < record_size; w += 4) {
        const uint32_t a = Load32(rec + w);
        const uint32_t b = Load32(rec + record_size + w);
        const uint32_t c = Load32(rec + 2 * record_size + w);
        const uint32_t d = Load32(rec + 3 * record_size + w);
        uint8_t* plane = out + w * count + r;
        Store32(plane, (a & 0xff) | (b & 0xff) << 8 | (c & 0xff) << 16 | d << 24);
        Store32(plane + count, (a >> 8 & 0xff) | (b & 0xff00) | (c & 0xff00) << 8 | (d & 0xff00) << 16);
        Store32(plane + 2 * count, (a >> 16 & 0xff) | (b >> 8 & 0xff00) | (c & 0xff0000) | (d & 0xff0000) << 8);
        Store32(plane + 3 * count, a >> 24 | (b >> 16 & 0xff00) | (c >> 8 & 0xff0000) | (d & 0xff000000));
      }
    }
    ShuffleBytes(in, whole, count, record_size, out);
    return;
  }
#endif
  ShuffleBytes(in, 0, count, record_size, out);
}

}  // namespace dropcap
