/**
 * Stack frames below a drop line. The innermost frames of a drop stack are
 * the tracing machinery itself (the BPF program, bpf_trace_run*, the
 * tracepoint's iterator, kfree_skb_reason/sk_skb_reason_drop); they are the
 * same for every drop and hide the interesting part. We cut them so the
 * first frame shown is the drop site, i.e. the tracepoint's `location`.
 */
import { sanitizeTerminal } from './sanitize.js';

// Frames that belong to the tracepoint or the BPF program, never to the
// code that decided to drop (see KERNEL-NOTES: "the top 3-4 frames are the
// tracing machinery").
const TRACING_FRAME = new RegExp(
  '^(?:' +
    [
      'bpf_prog_\\w*',
      'bpf_trace_run\\d*',
      '__bpf_trace_\\w*',
      '__traceiter_\\w*',
      'trace_kfree_skb\\w*',
      'perf_trace_\\w*',
      'trace_event_raw_event_\\w*',
      '__probestub_\\w*',
      'bpf_get_stack\\w*',
      'sk_skb_reason_drop',
      '(?:__)?kfree_skb\\w*',
      'kfree_skb_list_reason',
      'kfree_skbmem',
    ].join('|') +
    ')$',
);

/** The function of a symbolized frame: `tcp_v4_rcv+0x91 [mod]` → `tcp_v4_rcv`. */
export function frameFunction(frame: string): string {
  return frame.trim().split(/[+\s]/, 1)[0] ?? '';
}

/** True for frames of the tracing machinery (trimmed from the top of a stack). */
export function isTracingFrame(frame: string): boolean {
  return TRACING_FRAME.test(frameFunction(frame));
}

export interface StackOptions {
  /** The drop's location (`sym+0xoff`): the stack is cut right above it. */
  readonly location?: string | null;
}

/**
 * Frames innermost first, with the tracing frames above the drop site
 * removed. When the location's function is on the stack everything above
 * its first occurrence goes; otherwise the leading run of known tracing
 * frames goes. Frames below the site are never touched.
 */
export function trimStack(frames: readonly string[], opts: StackOptions = {}): string[] {
  const site = opts.location ? frameFunction(opts.location) : '';
  if (site !== '' && !site.startsWith('0x')) {
    const at = frames.findIndex((f) => frameFunction(f) === site);
    if (at >= 0) return frames.slice(at);
  }
  let first = 0;
  while (first < frames.length && isTracingFrame(frames[first] ?? '')) first++;
  // A stack made only of tracing frames is shown whole rather than as nothing.
  return first === frames.length ? [...frames] : frames.slice(first);
}

/** Lines to print under a drop line: trimmed frames, each after a tab. */
export function formatStack(frames: readonly string[], opts: StackOptions = {}): string[] {
  return trimStack(frames, opts).map((f) => `\t${sanitizeTerminal(f)}`);
}
