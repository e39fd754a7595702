// Errors thrown to JavaScript: `code` is the errno name ('EPERM', ...) and
// the message names the step that failed, e.g.
// "loading BPF program failed (EPERM)".
#ifndef DROPCAP_ERRORS_H
#define DROPCAP_ERRORS_H

#include <napi.h>

#include <string>

namespace dropcap {

// a failed libbpf step, as returned by BpfSession::Start
struct StepFailure {
  std::string step;  // "loading BPF program", ...
  int error = 0;     // positive errno
  std::string libbpf_log;  // what libbpf printed meanwhile (verifier log, ...)
};

// Any thread. "EPERM" for EPERM; "E<n>" when glibc has no name.
std::string ErrnoName(int error);

// JS thread. An Error with code, errno and libbpfLog properties.
Napi::Error StepError(Napi::Env env, const StepFailure& failure);

}  // namespace dropcap

#endif  // DROPCAP_ERRORS_H
