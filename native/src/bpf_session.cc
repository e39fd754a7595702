#include "bpf_session.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
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

bpf_program* ChosenProgram(dropcap_bpf* skel, AttachMethod method, bool packet_loads) {
  switch (method) {
    case AttachMethod::kTpBtf:
      return packet_loads ? skel->progs.dropcap_tp_btf_pkt : skel->progs.dropcap_tp_btf;
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

  session->nr_cpus_ = libbpf_num_possible_cpus();
  if (session->nr_cpus_ <= 0) return fail("counting possible CPUs", ErrorOf(session->nr_cpus_));
  session->online_ = OnlineCpus(session->nr_cpus_);
  const int nr_online = static_cast<int>(std::count(session->online_.begin(), session->online_.end(), true));
  session->ring_bytes_per_cpu_ = PerCpuRingBytes(config.ring_bytes, nr_online);

  // set rodata, ring sizes and which program loads: the outer array has a
  // slot per possible CPU, the inner template is one CPU's ring
  TracerConfig tuned = config;
  // a per-ring threshold must leave the ring room to fill while the reader
  // wakes up
  tuned.wakeup_bytes = std::min<uint64_t>(config.wakeup_bytes, session->ring_bytes_per_cpu_ / 4);
  SetRodata(session->skel_, tuned);
  bpf_map* rings = session->skel_->maps.rings;
  int err = bpf_map__set_max_entries(rings, static_cast<uint32_t>(session->nr_cpus_));
  if (err) return fail("sizing the ring buffer array", ErrorOf(err));
  err = session->CreateRings();
  if (err) return fail("creating the ring buffers", err);
  // CPU 0's ring doubles as the inner map template. Sizing libbpf's own
  // template instead (bpf_map__inner_map + bpf_map__set_max_entries)
  // crashes libbpf 1.1.2: the template map has no bpf_object.
  err = bpf_map__set_inner_map_fd(rings, session->ring_fds_[0]);
  if (err) return fail("sizing the ring buffers", ErrorOf(err));
  bpf_program* prog = ChosenProgram(session->skel_, config.attach, config.packet_loads);
  err = bpf_program__set_autoload(prog, true);
  if (err) return fail("selecting BPF program", ErrorOf(err));

  // load
  {
    SignalsHeld held;
    err = dropcap_bpf__load(session->skel_);
  }
  if (err) return fail("loading BPF program", ErrorOf(err));

  // the rings into their slots and the reader, before attaching so that no
  // drop finds its CPU's slot empty
  err = session->InstallRings(on_record, record_ctx);
  if (err) return fail("installing the ring buffers", err);

  // attach
  errno = 0;
  session->link_ = bpf_program__attach(prog);
  if (!session->link_) return fail("attaching BPF program", ErrorOf(0));

  bpf_prog_info info = {};
  uint32_t info_len = sizeof(info);
  if (bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &info_len) == 0) session->prog_id_ = info.id;

  EndLibbpfLogCapture();
  return session;
}

uint32_t BpfSession::PerCpuRingBytes(uint32_t total, int nr_cpus) {
  const long page = sysconf(_SC_PAGESIZE);
  const uint32_t page_bytes = page > 0 ? static_cast<uint32_t>(page) : 4096;
  if (total == 0) return 0;  // nonsense: creating the rings fails with EINVAL
  const uint32_t share = total / static_cast<uint32_t>(nr_cpus > 0 ? nr_cpus : 1);
  uint32_t size = 1;
  while (size <= share / 2) size <<= 1;  // largest power of two <= share
  return std::max(size, page_bytes);
}

// Which of the possible CPUs are online, from /sys/devices/system/cpu/online
// ("0-3,8-11"). Clouds often declare far more possible CPUs than they run;
// sharing the ring bytes among those would leave each running CPU a sliver.
// Unreadable or odd: all online (the share is then just smaller).
std::vector<bool> BpfSession::OnlineCpus(int nr_possible) {
  std::vector<bool> online(static_cast<size_t>(nr_possible), false);
  char text[4096] = {};
  const int fd = open("/sys/devices/system/cpu/online", O_RDONLY | O_CLOEXEC);
  const ssize_t n = fd >= 0 ? read(fd, text, sizeof(text) - 1) : -1;
  if (fd >= 0) close(fd);
  bool any = false;
  for (const char* p = text; n > 0 && *p >= '0' && *p <= '9';) {
    char* end = nullptr;
    const long first = strtol(p, &end, 10);
    long last = first;
    if (*end == '-') last = strtol(end + 1, &end, 10);
    for (long cpu = first; cpu <= last && cpu < nr_possible; cpu++) {
      online[static_cast<size_t>(cpu)] = true;
      any = true;
    }
    p = *end == ',' ? end + 1 : end;
  }
  if (!any) online.assign(online.size(), true);
  return online;
}

// JS thread, before load. One ring per possible CPU: the online ones share
// the ring bytes, an offline one gets a page (it may come online during the
// capture; its drops are then recorded while a page lasts, and counted as
// lost beyond). 0 or a positive errno.
int BpfSession::CreateRings() {
  ring_fds_.assign(static_cast<size_t>(nr_cpus_), -1);
  const long page = sysconf(_SC_PAGESIZE);
  for (int cpu = 0; cpu < nr_cpus_; cpu++) {
    const uint32_t bytes = online_[static_cast<size_t>(cpu)] ? ring_bytes_per_cpu_ : static_cast<uint32_t>(page > 0 ? page : 4096);
    // ring buffers of different sizes fit one array of maps: the kernel's
    // inner-map check compares type, key, value and flags, not max_entries
    const int fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "dropcap_ring", 0, 0, bytes, nullptr);
    if (fd < 0) return ErrorOf(fd);
    ring_fds_[static_cast<size_t>(cpu)] = fd;
  }
  return 0;
}

// JS thread, after load. Stores each CPU's ring at that CPU's index of
// `rings`; one libbpf reader covers them all. 0 or a positive errno.
int BpfSession::InstallRings(ring_buffer_sample_fn on_record, void* record_ctx) {
  const int outer_fd = bpf_map__fd(skel_->maps.rings);
  for (int cpu = 0; cpu < nr_cpus_; cpu++) {
    const int fd = ring_fds_[static_cast<size_t>(cpu)];
    const uint32_t key = static_cast<uint32_t>(cpu);
    int err = bpf_map_update_elem(outer_fd, &key, &fd, BPF_ANY);
    if (err) return ErrorOf(err);
    errno = 0;
    if (cpu == 0) {
      ring_ = ring_buffer__new(fd, on_record, record_ctx, nullptr);
      if (!ring_) return ErrorOf(0);
    } else {
      err = ring_buffer__add(ring_, fd, on_record, record_ctx);
      if (err) return ErrorOf(err);
    }
  }
  return 0;
}

// Poll thread or JS thread, never both (see header).
void BpfSession::Detach() {
  if (link_) {
    bpf_link__destroy(link_);
    link_ = nullptr;
  }
}

// JS thread. Reverse order of Start. The rings live on until the array of
// maps that holds them goes too.
BpfSession::~BpfSession() {
  Detach();
  if (ring_) ring_buffer__free(ring_);
  if (skel_) dropcap_bpf__destroy(skel_);
  for (int fd : ring_fds_)
    if (fd >= 0) close(fd);
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
