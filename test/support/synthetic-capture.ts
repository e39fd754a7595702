// Builds realistic captures through the real CaptureWriter, for analyzer
// tests that need no root: records are encoded field by field from the
// record layout (by name, like the decoder reads them), with stacks, a
// kallsyms snapshot, BTF-style reason enums, clocks and stats.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  BlockType,
  CaptureWriter,
  Codec,
  EVENT_LAYOUT_V1,
  EventFlags,
  encodeStacks,
  type RecordLayout,
  type StackEntry,
} from '@dropcap/format';

export interface EventSpec {
  ts_ns?: bigint;
  location?: bigint;
  /** address text: dotted quad or IPv6 (expanded or compressed) */
  saddr?: string;
  daddr?: string;
  pid?: number;
  tid?: number;
  netns?: number;
  ifindex?: number;
  reason?: number;
  seq?: number;
  ack_seq?: number;
  len?: number;
  mark?: number;
  stack_id?: number;
  sport?: number;
  dport?: number;
  cpu?: number;
  window?: number;
  family?: 4 | 6;
  state?: number;
  tcp_flags?: number;
  sk_source?: number;
  flags?: number;
  stack_frames?: number;
  comm?: string;
}

export const KERNEL = {
  tcp_v4_rcv: 0xffffffff81a00000n,
  tcp_v6_rcv: 0xffffffff81b00000n,
  nft_do_chain: 0xffffffffc0400000n,
  ip_local_deliver: 0xffffffff81a80000n,
  __netif_receive_skb: 0xffffffff81900000n,
  sk_skb_reason_drop: 0xffffffff81800000n,
  bpf_prog: 0xffffffffc0001000n,
};

/** A small /proc/kallsyms, unsorted like the real one, with data symbols, a module and a BPF program. */
export const KALLSYMS = [
  'ffffffff81a80000 T ip_local_deliver',
  'ffffffff81000000 T _stext',
  'ffffffff81a00000 T tcp_v4_rcv',
  'ffffffff81a00000 t tcp_v4_rcv_alias',
  'ffffffff81b00000 t tcp_v6_rcv',
  'ffffffff82000000 D some_data',
  'ffffffff81900000 T __netif_receive_skb',
  'ffffffff81800000 T sk_skb_reason_drop',
  'ffffffffc0400000 t nft_do_chain\t[nf_tables]',
  'ffffffffc0001000 t bpf_prog_6deef7357e7b4530_dropcap\t[bpf]',
  '0000000000000000 A fixed_percpu_data',
  '',
].join('\n');

/** BTF-style enums with this kernel's numbering (NOT_SPECIFIED = 2) and a subsystem. */
export const REASON_ENUMS: Record<string, Array<[string, number]>> = {
  skb_drop_reason: [
    ['SKB_NOT_DROPPED_YET', 0],
    ['SKB_CONSUMED', 1],
    ['SKB_DROP_REASON_NOT_SPECIFIED', 2],
    ['SKB_DROP_REASON_NO_SOCKET', 3],
    ['SKB_DROP_REASON_NETFILTER_DROP', 12],
    ['SKB_DROP_REASON_TCP_FLAGS', 30],
    ['SKB_DROP_REASON_MAX', 128],
    ['SKB_DROP_REASON_SUBSYS_MASK', 0xffff0000],
  ],
  skb_drop_reason_subsys: [
    ['SKB_DROP_REASON_SUBSYS_CORE', 0],
    ['SKB_DROP_REASON_SUBSYS_MAC80211_UNUSABLE', 1],
    ['SKB_DROP_REASON_SUBSYS_OPENVSWITCH', 3],
  ],
  ovs_drop_reason: [
    ['OVS_DROP_LAST_ACTION', (3 << 16) | 1],
    ['OVS_DROP_ACTION_ERROR', (3 << 16) | 2],
  ],
};

export const CLOCK_OFFSET_NS = 1_763_000_000_000_000_000n - 1_000_000_000_000n;
export const START_MONO = 1_000_000_000_000n;

function addrBytes(text: string, family: 4 | 6): Buffer {
  const out = Buffer.alloc(16);
  if (family === 4) {
    text.split('.').forEach((p, i) => (out[i] = Number(p)));
    return out;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...new Array(8 - h.length - t.length).fill('0'), ...t];
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

/** Encodes one record by field name from `layout`. */
export function encodeEvent(e: EventSpec, layout: RecordLayout = EVENT_LAYOUT_V1): Buffer {
  const buf = Buffer.alloc(layout.size);
  const family = e.family ?? 4;
  const values: Record<string, unknown> = {
    ts_ns: START_MONO,
    location: KERNEL.tcp_v4_rcv + 0x91n,
    pid: 0,
    tid: 0,
    netns: 4026531840,
    ifindex: 1,
    reason: 3,
    family,
    comm: 'swapper/0',
    ...e,
  };
  for (const f of layout.fields) {
    const v = values[f.name];
    if (v === undefined) continue;
    if (f.name === 'saddr' || f.name === 'daddr') addrBytes(String(v), family).copy(buf, f.offset);
    else if (f.type === 'u64') buf.writeBigUInt64LE(BigInt(v as bigint), f.offset);
    else if (f.type === 'u32') buf.writeUInt32LE(Number(v), f.offset);
    else if (f.type === 'u16') buf.writeUInt16LE(Number(v), f.offset);
    else if (f.type === 'u8') buf.writeUInt8(Number(v), f.offset);
    else if (f.type === 'cstr') buf.write(String(v).slice(0, f.size - 1), f.offset, 'utf8');
  }
  return buf;
}

export interface SyntheticOptions {
  hostname?: string;
  events?: EventSpec[];
  /** records per EVENTS block */
  blockSize?: number;
  stacks?: StackEntry[];
  stats?: Record<string, unknown> | null;
  end?: boolean;
  unknownBlocks?: number;
  layout?: RecordLayout;
  interfaces?: Array<{ netns: number; ifindex: number; name: string }>;
  codec?: Codec;
  /** EVENTS blocks written before the STACKS block (a recorder never does; a damaged or spliced file may) */
  stacksAfter?: number;
}

export const DEFAULT_STACKS: StackEntry[] = [
  {
    id: 1,
    frames: [KERNEL.bpf_prog + 0x4n, KERNEL.sk_skb_reason_drop + 0x1e4n, KERNEL.tcp_v4_rcv + 0x91n, KERNEL.ip_local_deliver + 0x44n, KERNEL.__netif_receive_skb + 0x10n],
    truncated: false,
  },
  { id: 2, frames: [KERNEL.nft_do_chain + 0x93cn, KERNEL.ip_local_deliver + 0x44n, 0xffffffff90000000n], truncated: true },
];

export function writeSyntheticCapture(file: string, o: SyntheticOptions = {}): void {
  const layout = o.layout ?? EVENT_LAYOUT_V1;
  const w = CaptureWriter.toPath(file);
  const startClocks = { monotonic_ns: START_MONO, realtime_ns: START_MONO + CLOCK_OFFSET_NS, boottime_ns: START_MONO + 5n };
  w.writeMsgpack(BlockType.Header, {
    format: 'dropcap-capture',
    recorder_version: '0.1.0-test',
    hostname: o.hostname ?? 'testhost',
    kernel_release: '6.18.0-test',
    kernel_version: '#1 SMP',
    machine: 'x86_64',
    boot_id: '00000000-1111-2222-3333-444444444444',
    cmdline: ['dropcap', 'record', '-w', 'x.dcap'],
    attach: 'tp_btf',
    attach_detail: { has_reason: true, has_rx_sk: true },
    filters: {},
    stack_policy: { mode: 'default', budget_per_cpu_per_sec: 1000 },
    start_clocks: startClocks,
    ring_bytes: 8 << 20,
    nr_cpus: 2,
  });
  w.writeMsgpack(BlockType.RecordLayout, layout);
  w.writeMsgpack(BlockType.Reasons, { source: 'btf', enums: REASON_ENUMS });
  w.writeBlock(BlockType.Kallsyms, Buffer.from(KALLSYMS), { codec: Codec.Deflate });
  w.writeMsgpack(BlockType.Interfaces, o.interfaces ?? [{ netns: 4026531840, ifindex: 1, name: 'lo' }]);
  w.writeMsgpack(BlockType.Clocks, startClocks);
  const stacks = () => w.writeBlock(BlockType.Stacks, encodeStacks(o.stacks ?? DEFAULT_STACKS));
  const stacksAfter = o.stacksAfter ?? 0;
  if (stacksAfter === 0) stacks();
  for (let i = 0; i < (o.unknownBlocks ?? 0); i++) w.writeBlock(77, Buffer.from('from the future'));
  const events = o.events ?? [];
  const per = o.blockSize ?? 1000;
  for (let i = 0, block = 0; i < events.length; i += per) {
    const recs = Buffer.concat(events.slice(i, i + per).map((e) => encodeEvent(e, layout)));
    w.writeEvents(recs, layout.size, o.codec === undefined ? {} : { codec: o.codec });
    if (++block === stacksAfter) stacks();
  }
  if (o.stats !== null) {
    w.writeMsgpack(
      BlockType.Stats,
      o.stats ?? {
        monotonic_ns: START_MONO + 10_000_000_000n,
        final: true,
        counters: { seen: events.length, ringbuf_lost: 0, stack_budget: 0, stack_error: 0, filtered: 0, not_tcp: 0, bad_header: 0 },
        per_cpu: {},
        user: { events_written: events.length, stacks_written: 2, batches_dropped: 0, events_dropped: 0, bytes_written: 0 },
      },
    );
  }
  if (o.end ?? true) w.writeMsgpack(BlockType.End, { reason: 'signal', events: events.length, duration_ns: 10_000_000_000n });
  w.close();
}

export function tmpDir(prefix = 'dropcap-test-'): { dir: string; file: (name: string) => string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, file: (n) => path.join(dir, n), cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export { EventFlags };
