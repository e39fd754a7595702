// Which kernel features the recorder can use, and the attach plan they imply.
// Probing reads files; planning is a pure function so it can be tested for
// kernels this machine is not (no reason argument, no BTF, ...).
import { existsSync, readFileSync } from 'node:fs';
import { parseBtf, type BtfSummary } from './btf.js';

export const VMLINUX_BTF = '/sys/kernel/btf/vmlinux';
const TRACEFS_ROOTS = ['/sys/kernel/tracing', '/sys/kernel/debug/tracing'];

/** How the BPF program hooks the drop path, best first. */
export type AttachMethod = 'tp_btf' | 'raw_tp' | 'tracepoint' | 'kprobe';

export interface KernelFeatures {
  /** vmlinux BTF is present (needed for tp_btf and for CO-RE relocation) */
  btf: boolean;
  /** argument names of the kfree_skb tracepoint, from BTF or tracefs; null if unknown */
  tracepointArgs: string[] | null;
  /** `tcp_drop` exists (4.7 to 5.16): a kprobe target on kernels without drop reasons */
  hasTcpDrop: boolean;
}

export interface AttachPlan {
  /** methods to try in order; the first that attaches wins */
  methods: AttachMethod[];
  hasReason: boolean;
  hasRxSk: boolean;
  /** why the plan is what it is, recorded in the capture header */
  notes: string[];
}

export function planAttach(f: KernelFeatures): AttachPlan {
  const args = f.tracepointArgs ?? [];
  const hasReason = args.includes('reason');
  const hasRxSk = args.includes('rx_sk');
  const notes: string[] = [];
  const methods: AttachMethod[] = [];
  if (!f.btf) {
    // CO-RE needs the kernel's BTF to relocate field offsets; without it the
    // program cannot be loaded at all (an embedded BTF archive could help).
    notes.push('no vmlinux BTF: CO-RE relocation impossible');
    return { methods, hasReason, hasRxSk, notes };
  }
  if (f.tracepointArgs === null) {
    notes.push('kfree_skb tracepoint not found');
  } else {
    // tp_btf reads arguments directly (cheapest); raw_tp needs no BTF typing
    // of the arguments; the classic tracepoint goes through the perf buffer
    // of the event and works on the oldest kernels.
    methods.push('tp_btf', 'raw_tp', 'tracepoint');
    if (!hasReason) notes.push('kfree_skb has no reason argument (kernel < 5.17): reasons are recorded as absent');
    if (!hasRxSk) notes.push('kfree_skb has no rx_sk argument: sockets only from skb->sk');
  }
  if (!hasReason && f.hasTcpDrop) {
    // 4.7 to 5.16: tcp_drop(sk, skb) sees the TCP-state drops with their
    // socket, which kfree_skb without a reason cannot tell apart. It needs a
    // kprobe (or fentry), so it is the first choice there and the tracepoint
    // remains the fallback when kprobes are unavailable.
    methods.unshift('kprobe');
    notes.push('tcp_drop present: kprobe preferred for TCP-state drops');
  }
  return { methods, hasReason, hasRxSk, notes };
}

/** Reads this machine's features (needs read access to BTF, tracefs or kallsyms). */
export function probeKernelFeatures(vmlinux: BtfSummary | null, kallsyms: string | null): KernelFeatures {
  let tracepointArgs: string[] | null = null;
  const raw = vmlinux?.structs.get('trace_event_raw_kfree_skb');
  if (raw) tracepointArgs = raw.members;
  else tracepointArgs = tracefsArgs();
  return {
    btf: vmlinux !== null,
    tracepointArgs,
    hasTcpDrop: kallsyms !== null && /^[0-9a-f]+ [tT] tcp_drop$/m.test(kallsyms),
  };
}

export function loadVmlinuxBtf(path = VMLINUX_BTF): BtfSummary | null {
  if (!existsSync(path)) return null;
  return parseBtf(readFileSync(path));
}

function tracefsArgs(): string[] | null {
  for (const root of TRACEFS_ROOTS) {
    const file = `${root}/events/skb/kfree_skb/format`;
    if (!existsSync(file)) continue;
    const names = [...readFileSync(file, 'utf8').matchAll(/field:[^;]*?(\w+);/g)].map((m) => m[1] as string);
    return names.filter((n) => !n.startsWith('common_'));
  }
  return null;
}
