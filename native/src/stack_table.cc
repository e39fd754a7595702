#include "stack_table.h"

#include <cstring>

namespace dropcap {

namespace {

constexpr uint16_t kStackFlagTruncated = 1 << 0;

template <typename T>
void AppendLittleEndian(std::vector<uint8_t>* out, T value) {
  // x86_64 and arm64 are little-endian, the capture format's byte order
  static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "little-endian host expected");
  const auto* bytes = reinterpret_cast<const uint8_t*>(&value);
  out->insert(out->end(), bytes, bytes + sizeof(value));
}

}  // namespace

// Poll thread. FNV-1a over the frames: cheap, and collisions are resolved
// by comparing frames anyway.
uint64_t StackTable::Hash(const uint64_t* frames, uint16_t nr_frames, bool truncated) {
  uint64_t hash = 1469598103934665603ULL ^ (truncated ? 1 : 0);
  for (uint16_t i = 0; i < nr_frames; i++) {
    hash ^= frames[i];
    hash *= 1099511628211ULL;
  }
  return hash ^ nr_frames;
}

// Poll thread.
uint32_t StackTable::Intern(const uint64_t* frames, uint16_t nr_frames, bool truncated,
                            std::vector<uint8_t>* out) {
  std::vector<uint32_t>& candidates = ids_by_hash_[Hash(frames, nr_frames, truncated)];
  for (uint32_t id : candidates) {
    const Stack& known = stacks_[id - 1];
    if (known.truncated == truncated && known.frames.size() == nr_frames &&
        std::memcmp(known.frames.data(), frames, nr_frames * sizeof(uint64_t)) == 0)
      return id;
  }

  stacks_.push_back(Stack{std::vector<uint64_t>(frames, frames + nr_frames), truncated});
  const uint32_t id = static_cast<uint32_t>(stacks_.size());
  candidates.push_back(id);

  AppendLittleEndian<uint32_t>(out, id);
  AppendLittleEndian<uint16_t>(out, nr_frames);
  AppendLittleEndian<uint16_t>(out, truncated ? kStackFlagTruncated : 0);
  for (uint16_t i = 0; i < nr_frames; i++) AppendLittleEndian<uint64_t>(out, frames[i]);
  return id;
}

}  // namespace dropcap
