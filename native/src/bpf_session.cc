#include "bpf_session.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cstring>

#include <linux/types.h>  // dropcap.h uses __u64 and friends

#include "dropcap.h"
#include "dropcap.skel.h"
#include "libbpf_log.h"

namespace dropcap {

namespace {

// The verifier gives up with EAGAIN whenever a signal is pending on the
// loading thread (it polls between instructions so that a load can be
// interrupted). A sampling profiler's SIGPROF every millisecond, as under
// `node --cpu-prof`, then fails every retry libbpf makes. Signals arriving
// during the load wait until it is over (a fraction of a second).
class SignalsHeld {
 public:
  SignalsHeld() {
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &saved_);
  }
  ~SignalsHeld() { pthread_sigmask(SIG_SETMASK, &saved_, nullptr); }
  SignalsHeld(const SignalsHeld&) = delete;
  SignalsHeld& operator=(const SignalsHeld&) = delete;

 private:
  sigset_t saved_;
};

bpf_program* ChosenProgram(dropcap_bpf* skel, AttachMethod method) {
  switch (method) {
    case AttachMethod::kTpBtf:
      return skel->progs.dropcap_tp_btf;
    case AttachMethod::kRawTp:
      return skel->progs.dropcap_raw_tp;
    case AttachMethod::kTracepoint:
      return skel->progs.dropcap_tracepoint;
  }
  return nullptr;
}

// the BPF program's `const volatile` tunables; .rodata is frozen at load
void SetRodata(dropcap_bpf* skel, const TracerConfig& config) {
  auto* ro = skel->rodata;
  const TracerFilters& f = config.filters;
  ro->filter_family = f.family;
  ro->filter_port = f.port;
  ro->filter_sport = f.sport;
  ro->filter_dport = f.dport;
  ro->filter_host_family = f.host_family;
  std::memcpy(ro->filter_host, f.host, sizeof(ro->filter_host));
  ro->filter_netns = f.netns;
  ro->filter_nr_reasons = static_cast<uint32_t>(f.reasons.size());
  for (size_t i = 0; i < f.reasons.size() && i < kMaxReasonFilters; i++) ro->filter_reasons[i] = f.reasons[i];
  ro->filter_reason_exclude = f.reason_exclude ? 1 : 0;
  ro->stack_mode = static_cast<uint32_t>(config.stack_mode);
  ro->stack_budget_per_sec = config.stack_budget_per_sec;
  ro->wakeup_bytes = config.wakeup_bytes;
}

// libbpf 1.x returns -errno and also sets errno; prefer the return value
int ErrorOf(int ret) {
  if (ret < 0) return -ret;
  return errno ? errno : EINVAL;
}

}  // namespace

// JS thread.
std::unique_ptr<BpfSession> BpfSession::Start(const TracerConfig& config, ring_buffer_sample_fn on_record,
                                              void* record_ctx, StepFailure* failure) {
  std::unique_ptr<BpfSession> session(new BpfSession());
  auto fail = [&](const char* step, int error) {
    failure->step = step;
    failure->error = error;
    failure->libbpf_log = EndLibbpfLogCapture();
    return nullptr;  // ~BpfSession undoes the steps already done
  };
  BeginLibbpfLogCapture();

  // open
  errno = 0;
  session->skel_ = dropcap_bpf__open();
  if (!session->skel_) return fail("opening BPF object", ErrorOf(0));

  // set rodata, ring size and which program loads
  SetRodata(session->skel_, config);
  int err = bpf_map__set_max_entries(session->skel_->maps.events, config.ring_bytes);
  if (err) return fail("sizing the ring buffer", ErrorOf(err));
  bpf_program* prog = ChosenProgram(session->skel_, config.attach);
  err = bpf_program__set_autoload(prog, true);
  if (err) return fail("selecting BPF program", ErrorOf(err));

  // load
  {
    SignalsHeld held;
    err = dropcap_bpf__load(session->skel_);
  }
  if (err) return fail("loading BPF program", ErrorOf(err));

  // attach
  errno = 0;
  session->link_ = bpf_program__attach(prog);
  if (!session->link_) return fail("attaching BPF program", ErrorOf(0));

  bpf_prog_info info = {};
  uint32_t info_len = sizeof(info);
  if (bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &info_len) == 0) session->prog_id_ = info.id;

  session->nr_cpus_ = libbpf_num_possible_cpus();
  if (session->nr_cpus_ <= 0) return fail("counting possible CPUs", ErrorOf(session->nr_cpus_));

  // the reader
  errno = 0;
  session->ring_ = ring_buffer__new(bpf_map__fd(session->skel_->maps.events), on_record, record_ctx, nullptr);
  if (!session->ring_) return fail("opening the ring buffer", ErrorOf(0));

  EndLibbpfLogCapture();
  return session;
}

// Poll thread or JS thread, never both (see header).
void BpfSession::Detach() {
  if (link_) {
    bpf_link__destroy(link_);
    link_ = nullptr;
  }
}

// JS thread. Reverse order of Start.
BpfSession::~BpfSession() {
  if (ring_) ring_buffer__free(ring_);
  Detach();
  if (skel_) dropcap_bpf__destroy(skel_);
}

// JS thread. One lookup per counter: a per-CPU array returns nr_cpus values.
int BpfSession::ReadCounters(std::vector<std::vector<uint64_t>>* out) const {
  out->assign(DROPCAP_CNT_MAX, std::vector<uint64_t>(static_cast<size_t>(nr_cpus_), 0));
  for (uint32_t key = 0; key < DROPCAP_CNT_MAX; key++) {
    std::vector<uint64_t>& values = (*out)[key];
    int err = bpf_map__lookup_elem(skel_->maps.counters, &key, sizeof(key), values.data(),
                                   values.size() * sizeof(uint64_t), 0);
    if (err) return err;
  }
  return 0;
}

}  // namespace dropcap
