// StackTable deduplicates kernel stacks for a whole recording.
//
// Each distinct (frames, truncated) pair gets a 1-based id the first time it
// is seen, and its STACKS entry (docs/capture-format.md) is appended to the
// batch that first references it, so a stack is always written before the
// events that point at it.
#ifndef DROPCAP_STACK_TABLE_H
#define DROPCAP_STACK_TABLE_H

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

namespace dropcap {

class StackTable {
 public:
  // Poll thread. Returns the stack's id; when it is new, appends its STACKS
  // entry (u32 id, u16 nr_frames, u16 flags, u64 frames...) to `out`.
  uint32_t Intern(const uint64_t* frames, uint16_t nr_frames, bool truncated,
                  std::vector<uint8_t>* out);

  size_t size() const { return stacks_.size(); }

 private:
  struct Stack {
    std::vector<uint64_t> frames;
    bool truncated;
  };

  static uint64_t Hash(const uint64_t* frames, uint16_t nr_frames, bool truncated);

  // ids by hash; a hash may hold several ids, compared frame by frame, so a
  // collision can never give an event the wrong stack
  std::unordered_map<uint64_t, std::vector<uint32_t>> ids_by_hash_;
  std::vector<Stack> stacks_;  // stacks_[id - 1]
};

}  // namespace dropcap

#endif  // DROPCAP_STACK_TABLE_H
