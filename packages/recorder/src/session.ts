// One recording: attach the BPF program, stream its batches into capture
// blocks, write the host context and the loss counters, stop cleanly.
// This is core logic: it never touches process or the console; the record
// command wires signals and printing to it.
import fs from 'node:fs';
import { BlockType, Codec, CaptureWriter, EVENT_LAYOUT_V1, packValue } from '@dropcap/format';
import type { AttachMethod as NativeAttach, Batch, KernelCounters, Tracer, TracerOptions } from '@dropcap/native';
import { toTracerFilters, type FilterOptions } from './filters.js';
import { hostIdentity, interfaces, readKallsyms } from './host-context.js';
import { dropReasonEnums } from './kernel/btf.js';
import { loadVmlinuxBtf, planAttach, probeKernelFeatures, type AttachPlan } from './kernel/features.js';
import { checkRecordPrivileges, effectiveCaps } from './kernel/privileges.js';
import { loadNative, type NativeModule } from './native.js';
import { countStackless } from './stackless-count.js';
import { RECORDER_VERSION } from './version.js';

export type StackMode = 'none' | 'default' | 'all';

export interface RecordOptions {
  /** capture file path, '-' for stdout, null to record nothing (live printing only) */
  output: string | null;
  filters: FilterOptions;
  stacks: StackMode;
  /** stacks per CPU per second under the default policy */
  stackBudget: number;
  ringBytes: number;
  batchBytes: number;
  batchMs: number;
  maxQueuedBatches: number;
  /** stop after this many events (0 = no limit) */
  count: number;
  /** stop after this long (0 = until aborted) */
  durationMs: number;
  compression: 'deflate' | 'brotli' | 'none';
  /** how often loss counters and clock pairs are written when they changed */
  statsIntervalMs: number;
  /** the recorder's argv, for the header */
  cmdline: string[];
  /** restrict attach methods (tests, troubleshooting) */
  attach?: NativeAttach;
  signal?: AbortSignal;
  /** every block as written, for live printing (the same bytes the analyzer reads) */
  onBlock?: (type: BlockType, body: Buffer) => void;
  /** verbose progress lines */
  onInfo?: (line: string) => void;
  /** called once the program is attached and the context written: drops from now on are caught */
  onAttached?: (attach: NativeAttach) => void;
}

export interface RecordSummary {
  attach: NativeAttach;
  events: number;
  /** events lost: ring buffer full in the kernel, or dropped in user space */
  lost: number;
  /** recorded events without a stack (--stacks none, budget spent or helper error), as the analyzer counts them */
  stackless: number;
  bytes: number;
  durationNs: bigint;
  /** why the recording ended */
  stop: 'signal' | 'duration' | 'count' | 'error';
  /** set when stop === 'error': the write error that ended it */
  error?: Error;
}

export class RecordError extends Error {
  constructor(message: string, readonly code: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export const DEFAULT_RECORD_OPTIONS: Omit<RecordOptions, 'output' | 'cmdline'> = {
  filters: {},
  stacks: 'default',
  stackBudget: 1000,
  ringBytes: 32 << 20,
  // 2 MiB: at storm rates each block's fixed costs (a JS callback, a write,
  // a deflate stream's end) and the ring wakeups are spread over twice the
  // events of 1 MiB, for ~15% less recorder CPU. A batch holds its events
  // raw and as a block body (at most as large again, when every plane varies
  // and nothing deflates), so 8 queued hold at most 32 MiB; after a storm the
  // addon's pool keeps up to 10 idle batches (40 MiB).
  batchBytes: 2 << 20,
  batchMs: 50,
  maxQueuedBatches: 8,
  count: 0,
  durationMs: 0,
  compression: 'deflate',
  statsIntervalMs: 5000,
};

const COUNTER_NAMES = ['seen', 'ringbuf_lost', 'stack_budget', 'stack_error', 'filtered', 'not_tcp', 'bad_header'] as const;

/** Records until aborted, the duration or the count is reached, or a write fails. */
export async function record(opts: RecordOptions, native: NativeModule = loadNative()): Promise<RecordSummary> {
  checkRecordPrivileges(effectiveCaps());
  const vmlinux = loadVmlinuxBtf();
  if (!vmlinux) {
    throw new RecordError('this kernel has no BTF (/sys/kernel/btf/vmlinux): dropcap needs CONFIG_DEBUG_INFO_BTF=y (kernel 5.4+ built with BTF)', 'ENOBTF');
  }
  const enums = dropReasonEnums([vmlinux]);
  const plan = planAttach(probeKernelFeatures(vmlinux, null));
  const tracerFilters = toTracerFilters(opts.filters, enums);
  // open the output before attaching: a bad path fails before any BPF is loaded
  const writer = openOutput(opts.output);
  const stats = new UserStats();
  let stopRequested: RecordSummary['stop'] | null = null;
  let wake: () => void = () => {};
  const requestStop = (why: RecordSummary['stop']): void => {
    stopRequested ??= why;
    wake();
  };
  const emit = (type: BlockType, body: Buffer, codec = Codec.None): void => {
    if (writer && !stats.writeError) {
      try {
        writer.writeBlock(type, body, { codec });
      } catch (err) {
        stats.writeError = describeWriteError(err, opts.output);
        // stop now: with no drops to write, nothing else would notice that the
        // disk is full or the reader of -w - went away, and BPF stays attached
        requestStop('error');
      }
    }
    opts.onBlock?.(type, body);
  };
  const emitMsgpack = (type: BlockType, value: unknown): void => emit(type, packValue(value));

  const onBatch = (batch: Batch): void => {
    if (stopRequested === 'count' || stats.writeError) {
      // past the requested count, or the disk is gone: counted, not written
      if (stopRequested !== 'count') stats.eventsDropped += batch.count;
      return;
    }
    let { events, count } = batch;
    if (opts.count > 0 && stats.eventsWritten + count >= opts.count) {
      count = opts.count - stats.eventsWritten;
      events = events.subarray(0, count * EVENT_LAYOUT_V1.size);
      requestStop('count');
    }
    if (batch.stacks.length > 0) emit(BlockType.Stacks, batch.stacks);
    if (count > 0) {
      if (writer && !stats.writeError) {
        try {
          writer.writeEvents(events, EVENT_LAYOUT_V1.size, {
            codec: codecOf(opts.compression),
            shuffle: opts.compression !== 'none',
            // unless --count cut the batch short, the block body the addon made
            ...(batch.planesBody && count === batch.count ? { planesBody: batch.planesBody } : {}),
          });
        } catch (err) {
          stats.writeError = describeWriteError(err, opts.output);
        }
      }
      opts.onBlock?.(BlockType.Events, events);
    }
    if (stats.writeError) {
      stats.eventsDropped += count;
      requestStop('error');
    } else {
      stats.eventsWritten += count;
      // the addon counted the whole batch; --count may have cut it short
      stats.stackless += count === batch.count ? batch.stackless : countStackless(events, count);
    }
  };

  let tracing: ReturnType<typeof startTracer>;
  try {
    tracing = startTracer(native, plan, opts, tracerFilters, onBatch);
  } catch (err) {
    // nothing was recorded: do not leave a 16-byte file behind
    writer?.close();
    if (opts.output !== null && opts.output !== '-') fs.rmSync(opts.output, { force: true });
    throw err;
  }
  const { tracer, attach, packetLoads } = tracing;
  const started = native.clocks();
  try {
    emitMsgpack(BlockType.Header, {
      format: 'dropcap-capture',
      recorder_version: RECORDER_VERSION,
      ...hostIdentity(),
      nr_cpus: tracer.nrCpus,
      cmdline: opts.cmdline,
      attach,
      attach_detail: { has_reason: plan.hasReason, has_rx_sk: plan.hasRxSk, tried: plan.methods, notes: plan.notes, prog_id: tracer.progId, packet_reads: packetLoads ? 'loads' : 'helper' },
      filters: { ...opts.filters },
      stack_policy: { mode: opts.stacks, budget_per_cpu_per_sec: opts.stackBudget },
      ring_bytes: opts.ringBytes,
      // one ring per possible CPU, each this size (ring_bytes split)
      ring_bytes_per_cpu: tracer.ringBytesPerCpu,
      start_clocks: started,
    });
    emitMsgpack(BlockType.RecordLayout, EVENT_LAYOUT_V1);
    emitMsgpack(BlockType.Reasons, { source: 'btf', enums });
    emitMsgpack(BlockType.Clocks, started);
    // after attach, so the BPF program's own frames resolve
    emit(BlockType.Kallsyms, Buffer.from(readKallsyms(), 'latin1'), Codec.Deflate);
    emitMsgpack(BlockType.Interfaces, interfaces());
  } catch (err) {
    await tracer.stop();
    writer?.close();
    throw err;
  }
  opts.onAttached?.(attach);
  opts.onInfo?.(`attached via ${attach} (prog id ${tracer.progId}${packetLoads ? ', packet loads' : ''}), ${opts.output === null ? 'not writing a file' : `writing ${opts.output}`}`);

  let lastCounters = '';
  const writeStats = (final: boolean): void => {
    const kernel = tracer.counters();
    const snapshot = statsBody(kernel, stats, writer?.bytesWritten ?? 0, native.clocks().monotonic_ns, final);
    const key = JSON.stringify(snapshot.counters) + JSON.stringify(snapshot.user);
    if (!final && key === lastCounters) return; // a quiet capture stays small
    lastCounters = key;
    emitMsgpack(BlockType.Clocks, native.clocks());
    emitMsgpack(BlockType.Stats, snapshot);
  };

  const timers: NodeJS.Timeout[] = [setInterval(() => writeStats(false), opts.statsIntervalMs)];
  if (opts.durationMs > 0) timers.push(setTimeout(() => requestStop('duration'), opts.durationMs));
  const onAbort = (): void => requestStop('signal');
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  if (opts.signal?.aborted) requestStop('signal');

  await new Promise<void>((resolve) => {
    wake = resolve;
    if (stopRequested) resolve();
  });
  for (const t of timers) clearInterval(t);
  opts.signal?.removeEventListener('abort', onAbort);

  // counters read after the last batch is in, so seen = written + lost holds
  await tracer.stop();
  writeStats(true);
  const ended = native.clocks();
  const durationNs = ended.monotonic_ns - started.monotonic_ns;
  emitMsgpack(BlockType.End, { reason: stopRequested, events: stats.eventsWritten, duration_ns: durationNs });
  const kernel = sumCounters(tracer.counters());
  try {
    writer?.close();
  } catch (err) {
    stats.writeError ??= describeWriteError(err, opts.output);
  }
  const summary: RecordSummary = {
    attach,
    events: stats.eventsWritten,
    lost: (kernel.ringbuf_lost ?? 0) + stats.eventsDropped,
    stackless: stats.stackless,
    bytes: writer?.bytesWritten ?? 0,
    durationNs,
    stop: stats.writeError ? 'error' : (stopRequested ?? 'signal'),
  };
  if (stats.writeError) summary.error = stats.writeError;
  return summary;
}

function startTracer(
  native: NativeModule,
  plan: AttachPlan,
  opts: RecordOptions,
  filters: TracerOptions['filters'],
  onBatch: (b: Batch) => void,
): { tracer: Tracer; attach: NativeAttach; packetLoads: boolean } {
  const supported = plan.methods.filter((m): m is NativeAttach => m !== 'kprobe');
  const methods = opts.attach ? [opts.attach] : supported;
  if (methods.length === 0) {
    throw new RecordError(`no usable attach point for kfree_skb on this kernel (${plan.notes.join('; ')})`, 'ENOATTACH');
  }
  // tp_btf first as the variant that reads packet bytes without a helper
  // call; kernels before 6.17 refuse it at load, then the plain one follows
  const attempts = methods.flatMap((attach): { attach: NativeAttach; packetLoads: boolean }[] =>
    attach === 'tp_btf' ? [{ attach, packetLoads: true }, { attach, packetLoads: false }] : [{ attach, packetLoads: false }],
  );
  const errors: string[] = [];
  for (const { attach, packetLoads } of attempts) {
    const label = packetLoads ? `${attach} with packet loads` : attach;
    try {
      const tracer = new native.Tracer(
        {
          attach,
          packetLoads,
          ringBytes: opts.ringBytes,
          wakeupBytes: Math.max(4096, Math.min(opts.batchBytes, opts.ringBytes / 4)),
          batchBytes: opts.batchBytes,
          batchMs: opts.batchMs,
          maxQueuedBatches: opts.maxQueuedBatches,
          // deflate-planes bodies only; a brotli body is shuffled by the writer
          encodePlanes: opts.output !== null && opts.compression === 'deflate',
          filters,
          stacks: { mode: opts.stacks, budgetPerCpuPerSec: opts.stackBudget },
        },
        onBatch,
      );
      return { tracer, attach, packetLoads };
    } catch (err) {
      errors.push(`${label}: ${(err as Error).message}`);
      opts.onInfo?.(`attach via ${label} failed: ${(err as Error).message}`);
    }
  }
  const hint = errors.every((e) => e.includes('EPERM'))
    ? '; the kernel refused BPF (EPERM): run as root on the host, not in a user namespace or a container without CAP_BPF'
    : '';
  throw new RecordError(`could not load the BPF program (${errors.join('; ')})${hint}`, 'EATTACH');
}

function openOutput(output: string | null): CaptureWriter | null {
  if (output === null) return null;
  try {
    return output === '-' ? CaptureWriter.toFd(1) : CaptureWriter.toPath(output);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why =
      e.code === 'EISDIR' ? 'it is a directory'
      : e.code === 'EACCES' || e.code === 'EPERM' ? 'permission denied'
      : e.code === 'ENOENT' ? 'its directory does not exist'
      : e.code === 'EROFS' ? 'the file system is read-only'
      : e.code === 'ENOSPC' ? 'the disk is full'
      : e.code ?? e.message;
    throw new RecordError(`cannot write capture to ${output}: ${why}; choose another -w path`, e.code ?? 'EOUTPUT', { cause: err });
  }
}

/** deflate: the planes codec, deflating only the planes that vary (format planes.ts). */
function codecOf(c: RecordOptions['compression']): Codec {
  return c === 'deflate' ? Codec.DeflatePlanes : c === 'brotli' ? Codec.Brotli : Codec.None;
}

class UserStats {
  eventsWritten = 0;
  eventsDropped = 0;
  stackless = 0;
  writeError: Error | null = null;
}

function sumCounters(k: KernelCounters): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of COUNTER_NAMES) out[name] = (k[name] ?? []).reduce((a, b) => a + b, 0);
  return out;
}

function statsBody(kernel: KernelCounters, user: UserStats, bytes: number, monotonicNs: bigint, final: boolean) {
  const perCpu: Record<string, number[]> = {};
  for (const name of COUNTER_NAMES) perCpu[name] = kernel[name] ?? [];
  return {
    monotonic_ns: monotonicNs,
    final,
    counters: sumCounters(kernel),
    per_cpu: perCpu,
    user: { events_written: user.eventsWritten, events_dropped: user.eventsDropped, bytes_written: bytes },
  };
}

/** Write failures in words a user acts on: the disk, the pipe, the path. */
function describeWriteError(err: unknown, output: string | null): Error {
  const e = err as NodeJS.ErrnoException;
  const where = output === '-' ? 'stdout' : (output ?? 'the capture');
  const why =
    e.code === 'ENOSPC' ? `disk full writing ${where}: free space or write elsewhere with -w`
    : e.code === 'EPIPE' ? `${where} was closed by the reader`
    : e.code === 'EDQUOT' ? `disk quota exceeded writing ${where}`
    : `writing ${where} failed: ${e.message}`;
  return new RecordError(why, e.code ?? 'EWRITE', { cause: err });
}
