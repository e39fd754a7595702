#include "libbpf_log.h"

#include <bpf/libbpf.h>

#include <cstdarg>
#include <cstdio>
#include <mutex>

namespace dropcap {

namespace {

// a verifier log can be megabytes; its tail says why it failed
constexpr size_t kMaxLogBytes = 16 * 1024;

std::mutex log_mutex;
std::string captured;
bool capturing = false;

// Whichever thread calls libbpf (JS thread during load and attach, the poll
// thread in ring_buffer__poll), hence the mutex.
int OnLibbpfPrint(enum libbpf_print_level level, const char* format, va_list args) {
  if (level == LIBBPF_DEBUG) return 0;
  va_list copy;
  va_copy(copy, args);
  int n = vsnprintf(nullptr, 0, format, copy);
  va_end(copy);
  if (n <= 0) return n;
  std::string line(static_cast<size_t>(n) + 1, '\0');
  vsnprintf(&line[0], line.size(), format, args);
  line.resize(static_cast<size_t>(n));
  std::lock_guard<std::mutex> lock(log_mutex);
  if (!capturing) return n;
  captured += line;
  if (captured.size() > kMaxLogBytes) captured.erase(0, captured.size() - kMaxLogBytes);
  return n;
}

}  // namespace

// JS thread.
void InstallLibbpfLog() { libbpf_set_print(OnLibbpfPrint); }

// JS thread.
void BeginLibbpfLogCapture() {
  std::lock_guard<std::mutex> lock(log_mutex);
  captured.clear();
  capturing = true;
}

// JS thread.
std::string EndLibbpfLogCapture() {
  std::lock_guard<std::mutex> lock(log_mutex);
  capturing = false;
  std::string out;
  out.swap(captured);
  return out;
}

}  // namespace dropcap
