// Field accessors built from the layout stored in the capture: fields are
// found by name and validated against the record size once, so the hot loop
// only adds precomputed offsets. A field the decoder needs but the layout
// lacks (or types differently) reads as absent: 0 / empty.
import type { LayoutField, RecordLayout } from '@dropcap/format';

export type UintReader = (buf: Buffer, base: number) => number;
export type U64Reader = (buf: Buffer, base: number) => bigint;

const zero: UintReader = () => 0;
const zeroBig: U64Reader = () => 0n;

function uintReader(f: LayoutField | undefined): UintReader {
  if (!f) return zero;
  const off = f.offset;
  switch (f.type) {
    case 'u8':
      return (b, p) => b[p + off]!;
    case 'u16':
      return (b, p) => b.readUInt16LE(p + off);
    case 'u32':
      return (b, p) => b.readUInt32LE(p + off);
    case 'u64':
      // only counters live here; beyond 2^53 precision loss is acceptable
      return (b, p) => b.readUInt32LE(p + off) + b.readUInt32LE(p + off + 4) * 4294967296;
    default:
      return zero;
  }
}

function u64Reader(f: LayoutField | undefined): U64Reader {
  if (!f) return zeroBig;
  const off = f.offset;
  switch (f.type) {
    case 'u64':
      return (b, p) => b.readBigUInt64LE(p + off);
    case 'u32':
      return (b, p) => BigInt(b.readUInt32LE(p + off));
    default:
      return zeroBig;
  }
}

/** The names this decoder understands (docs/capture-format.md, RECORD_LAYOUT). */
export const KNOWN_FIELDS = [
  'ts_ns', 'location', 'saddr', 'daddr', 'pid', 'tid', 'netns', 'ifindex', 'reason', 'seq', 'ack_seq', 'len',
  'mark', 'stack_id', 'sport', 'dport', 'cpu', 'window', 'family', 'state', 'tcp_flags', 'sk_source', 'flags',
  'stack_frames', 'comm',
] as const;

export class RecordFields {
  readonly size: number;
  readonly missing: string[] = [];
  /** [offset, size] of every field found (and valid), by name: raw byte ranges for keys */
  readonly spans = new Map<string, readonly [number, number]>();
  readonly ts: U64Reader;
  /** low and high u32 of ts_ns (high is 0 for a u32 field), for arithmetic without bigints */
  readonly tsLo: UintReader;
  readonly tsHi: UintReader;
  readonly location: U64Reader;
  /** low and high u32 of location, for cheap cache keys */
  readonly locationLo: UintReader;
  readonly locationHi: UintReader;
  /** byte offsets of the 16-byte addresses, -1 when absent */
  readonly saddrOff: number;
  readonly daddrOff: number;
  readonly pid: UintReader;
  readonly tid: UintReader;
  readonly netns: UintReader;
  readonly ifindex: UintReader;
  readonly reason: UintReader;
  readonly seq: UintReader;
  readonly ackSeq: UintReader;
  readonly len: UintReader;
  readonly mark: UintReader;
  readonly stackId: UintReader;
  readonly sport: UintReader;
  readonly dport: UintReader;
  readonly cpu: UintReader;
  readonly window: UintReader;
  readonly family: UintReader;
  readonly state: UintReader;
  readonly tcpFlags: UintReader;
  readonly skSource: UintReader;
  readonly flags: UintReader;
  readonly stackFrames: UintReader;
  readonly commOff: number;
  readonly commSize: number;

  constructor(layout: RecordLayout) {
    this.size = layout.size;
    const byName = new Map(layout.fields.map((f) => [f.name, f]));
    const get = (name: string, ok: (f: LayoutField) => boolean): LayoutField | undefined => {
      const f = byName.get(name);
      if (f && ok(f) && f.offset + f.size <= layout.size) {
        this.spans.set(name, [f.offset, f.size]);
        return f;
      }
      this.missing.push(name);
      return undefined;
    };
    const isInt = (f: LayoutField) => f.type === 'u8' || f.type === 'u16' || f.type === 'u32' || f.type === 'u64';
    const int = (name: string) => uintReader(get(name, isInt));
    const addr = (name: string) => get(name, (f) => f.type === 'bytes' && f.size === 16)?.offset ?? -1;

    const ts = get('ts_ns', (f) => f.type === 'u64' || f.type === 'u32');
    this.ts = u64Reader(ts);
    const tsOff = ts?.offset;
    this.tsLo = tsOff === undefined ? zero : (b, p) => b.readUInt32LE(p + tsOff);
    this.tsHi = tsOff === undefined || ts?.type !== 'u64' ? zero : (b, p) => b.readUInt32LE(p + tsOff + 4);
    const loc = get('location', (f) => f.type === 'u64');
    this.location = u64Reader(loc);
    const locOff = loc?.offset;
    this.locationLo = locOff === undefined ? zero : (b, p) => b.readUInt32LE(p + locOff);
    this.locationHi = locOff === undefined ? zero : (b, p) => b.readUInt32LE(p + locOff + 4);
    this.saddrOff = addr('saddr');
    this.daddrOff = addr('daddr');
    this.pid = int('pid');
    this.tid = int('tid');
    this.netns = int('netns');
    this.ifindex = int('ifindex');
    this.reason = int('reason');
    this.seq = int('seq');
    this.ackSeq = int('ack_seq');
    this.len = int('len');
    this.mark = int('mark');
    this.stackId = int('stack_id');
    this.sport = int('sport');
    this.dport = int('dport');
    this.cpu = int('cpu');
    this.window = int('window');
    this.family = int('family');
    this.state = int('state');
    this.tcpFlags = int('tcp_flags');
    this.skSource = int('sk_source');
    this.flags = int('flags');
    this.stackFrames = int('stack_frames');
    const comm = get('comm', (f) => f.type === 'cstr' || f.type === 'bytes');
    this.commOff = comm?.offset ?? -1;
    this.commSize = comm?.size ?? 0;
  }

  /** NUL-terminated task name. */
  comm(buf: Buffer, base: number): string {
    if (this.commOff < 0) return '';
    const start = base + this.commOff;
    const end = start + this.commSize;
    let nul = start;
    while (nul < end && buf[nul] !== 0) nul++;
    return buf.toString('utf8', start, nul);
  }
}
