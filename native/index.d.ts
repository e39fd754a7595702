// Types for dropcap's native addon (build/Release/dropcap.node).
// The addon is thin: validation, defaults and friendly errors live in
// packages/recorder. See native/src/*.cc for which thread runs what.

/** How the BPF program attaches to the kernel's drop path. */
export type AttachMethod = 'tp_btf' | 'raw_tp' | 'tracepoint';

export interface TracerFilters {
  /** 0 = both, 4 = IPv4 only, 6 = IPv6 only */
  family: 0 | 4 | 6;
  /** 0 = any. `port` matches either side. */
  port: number;
  sport: number;
  dport: number;
  /** 16 bytes (IPv4 in the first 4, network order) matched against either address; omitted = any host */
  host?: Buffer;
  hostFamily?: 4 | 6;
  /** network namespace inode, 0 = any */
  netns: number;
  /** raw drop-reason values (host numbering), at most 16 */
  reasons: number[];
  /** true: drop events whose reason is in `reasons`; false: keep only those (when non-empty) */
  reasonExclude: boolean;
}

export interface TracerOptions {
  attach: AttachMethod;
  /** tp_btf only: load the program variant that reads packet bytes by plain
   *  loads (kernel 6.17+: bpf_rdonly_cast to untrusted memory) instead of
   *  calling bpf_probe_read_kernel(); older kernels refuse it at load */
  packetLoads?: boolean;
  /** total BPF ring buffer size in bytes, split into one ring per possible
   *  CPU: each gets the largest power of two not above ringBytes / nrCpus,
   *  at least a page (see Tracer.ringBytesPerCpu) */
  ringBytes: number;
  /** the BPF program forces a wakeup once this many bytes are pending in a
   *  CPU's ring (batched wakeups); capped at a quarter of that ring */
  wakeupBytes: number;
  /** hand a batch to JS once it holds this many bytes ... */
  batchBytes: number;
  /** ... or this many milliseconds after its first record */
  batchMs: number;
  /** bound of the queue of batches waiting for JS; when full the poll thread
   *  blocks, the ring fills and the kernel counts the losses */
  maxQueuedBatches: number;
  /** also hand each batch's events over as the capture format's
   *  deflate-planes block body (Batch.planesBody), made on the poll thread;
   *  default false */
  encodePlanes?: boolean;
  filters: TracerFilters;
  stacks: {
    /** none: never; default: per-CPU budget + first drop of each (location, reason); all: every drop */
    mode: 'none' | 'default' | 'all';
    budgetPerCpuPerSec: number;
  };
}

/**
 * One delivery from the poll thread. Its buffers are lent for the callback
 * only: the addon then detaches them (a kept reference reads as empty) and
 * refills their memory with a later batch. Copy what must outlive the call.
 */
export interface Batch {
  /** `count` records of struct dropcap_event (120 bytes), stack tails removed, stack_id set */
  events: Buffer;
  count: number;
  /** how many of the records have no stack (stack_id 0) */
  stackless: number;
  /** with TracerOptions.encodePlanes: `events` as a deflate-planes (codec 3)
   *  block body, deflated like the format's EVENTS_DEFLATE; absent if zlib
   *  failed */
  planesBody?: Buffer;
  /** stacks first seen in this batch, in the STACKS block body format (may be empty) */
  stacks: Buffer;
}

/** Kernel counters, one array entry per possible CPU, names as in the STATS block. */
export interface KernelCounters {
  seen: number[];
  ringbuf_lost: number[];
  stack_budget: number[];
  stack_error: number[];
  filtered: number[];
  not_tcp: number[];
  bad_header: number[];
}

export class Tracer {
  /** Opens, loads and attaches (JS thread). Throws an Error whose `code` is
   *  'EPERM', 'ENOENT', 'EINVAL', ... from libbpf, and whose message names the step. */
  constructor(options: TracerOptions, onBatch: (batch: Batch) => void);
  readonly attach: AttachMethod;
  readonly nrCpus: number;
  /** BPF program id, for `bpftool prog show id N` */
  readonly progId: number;
  /** size of each CPU's ring buffer in bytes (ringBytes split across nrCpus) */
  readonly ringBytesPerCpu: number;
  /** reads the per-CPU counters map (JS thread) */
  counters(): KernelCounters;
  /** Stops polling, drains the ring, delivers the last batch, detaches and
   *  frees everything. Resolves once the poll thread has exited. Idempotent. */
  stop(): Promise<void>;
}

/** Clock readings taken back to back, in nanoseconds (clock_gettime). */
export function clocks(): { monotonic_ns: bigint; realtime_ns: bigint; boottime_ns: bigint };

/** The body the poll thread makes of a batch (TracerOptions.encodePlanes), for a copy. */
export function encodePlanes(records: Buffer, recordSize: number): Buffer;

/** sizeof(struct dropcap_event) as compiled into the addon */
export const EVENT_SIZE: number;
