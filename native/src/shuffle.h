// The capture format's byte shuffle (docs/capture-format.md, "EVENTS"):
// byte i of every record made contiguous, so that deflate sees long runs.
// packages/format/src/shuffle.ts is the reference; the recorder's addon
// shuffles each batch here, on the poll thread, because in a drop storm the
// transpose in JavaScript was the recorder's largest cost (~37% of its CPU,
// ~80 ns per event; ~18 ns here). test/kernel/native-smoke.test.ts compares
// the two.
#ifndef DROPCAP_SHUFFLE_H
#define DROPCAP_SHUFFLE_H

#include <cstddef>
#include <cstdint>

namespace dropcap {

// out[i * count + r] = in[r * record_size + i], for `count` records.
// `out` holds count * record_size bytes and does not overlap `in`.
void ShuffleRecords(const uint8_t* in, size_t count, size_t record_size, uint8_t* out);

}  // namespace dropcap

#endif  // DROPCAP_SHUFFLE_H
