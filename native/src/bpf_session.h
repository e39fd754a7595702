// BpfSession owns the libbpf side of a Tracer: the skeleton, the one attached
// link, the per-CPU ring buffers and the one reader over all of them. Start() follows libbpf-bootstrap's
// bootstrap.c: open, set rodata, load, attach; the destructor undoes it in
// reverse order.
#ifndef DROPCAP_BPF_SESSION_H
#define DROPCAP_BPF_SESSION_H

#include <bpf/libbpf.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "errors.h"
#include "options.h"

struct dropcap_bpf;

namespace dropcap {

class BpfSession {
 public:
  // JS thread. Loads and attaches the program chosen by config.attach and
  // opens a ring buffer reader calling on_record(record_ctx, ...). On failure
  // returns null and fills *failure (everything done so far is undone).
  static std::unique_ptr<BpfSession> Start(const TracerConfig& config, ring_buffer_sample_fn on_record,
                                           void* record_ctx, StepFailure* failure);

  // JS thread, after the poll thread has exited.
  ~BpfSession();

  BpfSession(const BpfSession&) = delete;
  BpfSession& operator=(const BpfSession&) = delete;

  // Poll thread (at stop, so nothing new enters the ring before the final
  // drain) or JS thread (teardown). Idempotent; they never run concurrently.
  void Detach();

  // Poll thread only, between Start and destruction.
  ring_buffer* ring() const { return ring_; }

  // JS thread. Per-CPU values of every counter: out[counter][cpu].
  // Returns 0 or a negative errno.
  int ReadCounters(std::vector<std::vector<uint64_t>>* out) const;

  uint32_t prog_id() const { return prog_id_; }
  int nr_cpus() const { return nr_cpus_; }
  // size of the ring of each CPU online at start (see PerCpuRingBytes; an offline CPU gets a page)
  uint32_t ring_bytes_per_cpu() const { return ring_bytes_per_cpu_; }

  // The total ring_bytes split across the online CPUs: the largest power of
  // two not above total / online CPUs, but at least one page (0 stays 0).
  static uint32_t PerCpuRingBytes(uint32_t total, int nr_cpus);
  static std::vector<bool> OnlineCpus(int nr_possible);

 private:
  BpfSession() = default;
  int CreateRings();
  int InstallRings(ring_buffer_sample_fn on_record, void* record_ctx);

  dropcap_bpf* skel_ = nullptr;
  bpf_link* link_ = nullptr;
  ring_buffer* ring_ = nullptr;
  // one BPF_MAP_TYPE_RINGBUF per possible CPU, also held by the skeleton's
  // `rings` array of maps; -1 where not created
  std::vector<int> ring_fds_;
  // by possible CPU: online when the capture started (sizes its ring)
  std::vector<bool> online_;
  uint32_t prog_id_ = 0;
  int nr_cpus_ = 0;
  uint32_t ring_bytes_per_cpu_ = 0;
};

}  // namespace dropcap

#endif  // DROPCAP_BPF_SESSION_H
