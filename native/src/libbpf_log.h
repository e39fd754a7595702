// LibbpfLog keeps what libbpf prints (warnings, the verifier log on a failed
// load) so it can travel in the thrown Error instead of going to stderr,
// which belongs to the CLI.
#ifndef DROPCAP_LIBBPF_LOG_H
#define DROPCAP_LIBBPF_LOG_H

#include <string>

namespace dropcap {

// JS thread, once at module init: routes libbpf's output here.
void InstallLibbpfLog();

// JS thread. Starts a fresh capture, returns what was captured since.
void BeginLibbpfLogCapture();
std::string EndLibbpfLogCapture();

}  // namespace dropcap

#endif  // DROPCAP_LIBBPF_LOG_H
