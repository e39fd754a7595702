// The native addon against the real kernel, without the recorder on top:
// each attach method loads, attaches and delivers the drops this test
// provokes in its own namespace, with the right tuple, flags, reason, socket
// and a stack that symbolizes through the receive function; filters run in
// the kernel; counters add up (seen = delivered + ringbuf_lost), also when a
// tiny ring and a slow consumer lose events; stop() is idempotent and frees
// the program. Needs `npm run build` (the addon) and root.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import zlib from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import type * as Native from '../../native/index.js';
import { decodePlanesToRecords, shuffle, splitPlanes } from '@dropcap/format';
import { runStorm } from '../../packages/recorder/src/provoke/index.js';
import { packetLoadsExpected } from '../support/kernel.js';
import { requireRoot, useNetnsSandbox } from '../support/netns.js';

const native = createRequire(import.meta.url)('../../native/index.cjs') as typeof Native;

const EVENT_SIZE = 120;
const F_STACK = 1 << 0;
const F_NO_REASON = 1 << 4;
const F_NEW_SITE = 1 << 5;
const SK_RX = 2;
const TCP_LISTEN = 10;
const SYN = 0x02;
const RST = 0x04;

interface Event {
  ts: bigint;
  location: bigint;
  family: number;
  saddr: Buffer;
  daddr: Buffer;
  sport: number;
  dport: number;
  reason: number;
  tcpFlags: number;
  state: number;
  skSource: number;
  flags: number;
  stackFrames: number;
  stackId: number;
  netns: number;
  ifindex: number;
  comm: string;
  /** the 16 bytes as recorded */
  commBytes: Buffer;
}

/** offsets from docs/capture-format.md (RECORD_LAYOUT v1) */
function decodeEvents(batch: Native.Batch): Event[] {
  const out: Event[] = [];
  for (let i = 0; i < batch.count; i++) {
    const e = batch.events.subarray(i * EVENT_SIZE, (i + 1) * EVENT_SIZE);
    out.push({
      ts: e.readBigUInt64LE(0),
      location: e.readBigUInt64LE(8),
      saddr: Buffer.from(e.subarray(16, 32)),
      daddr: Buffer.from(e.subarray(32, 48)),
      netns: e.readUInt32LE(56),
      ifindex: e.readUInt32LE(60),
      reason: e.readUInt32LE(64),
      stackId: e.readUInt32LE(84),
      sport: e.readUInt16LE(88),
      dport: e.readUInt16LE(90),
      family: e[96]!,
      state: e[97]!,
      tcpFlags: e[98]!,
      skSource: e[99]!,
      flags: e[100]!,
      stackFrames: e[101]!,
      comm: e.subarray(104, 120).toString('latin1').replace(/\0.*$/s, ''),
      commBytes: Buffer.from(e.subarray(104, 120)),
    });
  }
  return out;
}

/** STACKS body entries: u32 id, u16 nr_frames, u16 flags, u64 frames */
function decodeStacks(body: Buffer, into: Map<number, bigint[]>): void {
  let off = 0;
  while (off < body.length) {
    const id = body.readUInt32LE(off);
    const n = body.readUInt16LE(off + 4);
    const frames: bigint[] = [];
    for (let i = 0; i < n; i++) frames.push(body.readBigUInt64LE(off + 8 + 8 * i));
    expect(into.has(id), `stack ${id} sent twice`).toBe(false);
    into.set(id, frames);
    off += 8 + 8 * n;
  }
  expect(off).toBe(body.length);
}

/** function symbols of /proc/kallsyms, sorted; names an address as sym+0xoff */
function loadKallsyms(): (addr: bigint) => string {
  const syms: [bigint, string][] = [];
  for (const line of readFileSync('/proc/kallsyms', 'utf8').split('\n')) {
    const [addr, type, name] = line.split(/\s+/);
    if (addr && name && type && /^[tTwW]$/.test(type)) syms.push([BigInt(`0x${addr}`), name]);
  }
  syms.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return (addr) => {
    let lo = 0;
    let hi = syms.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (syms[mid]![0] <= addr) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return best < 0 ? `0x${addr.toString(16)}` : `${syms[best]![1]}+0x${(addr - syms[best]![0]).toString(16)}`;
  };
}

/** reason values from this kernel's tracefs format: { 3, "NO_SOCKET" } */
function reasonValue(name: string): number {
  if (!existsSync('/sys/kernel/tracing/events')) execFileSync('mount', ['-t', 'tracefs', 'nodev', '/sys/kernel/tracing']);
  const format = readFileSync('/sys/kernel/tracing/events/skb/kfree_skb/format', 'utf8');
  const m = new RegExp(`\\{ (\\d+), "${name}" \\}`).exec(format);
  if (!m) throw new Error(`drop reason ${name} not in the kfree_skb format`);
  return Number(m[1]);
}

const IPV4_LOOPBACK = Buffer.from([127, 0, 0, 1, ...new Array<number>(12).fill(0)]);
const IPV6_LOOPBACK = Buffer.from([...new Array<number>(15).fill(0), 1]);

type OptionOverrides = Partial<Omit<Native.TracerOptions, 'filters'>> & { filters?: Partial<Native.TracerFilters> };

function options(overrides: OptionOverrides = {}): Native.TracerOptions {
  const { filters, ...rest } = overrides;
  return {
    attach: 'tp_btf',
    ringBytes: 1 << 20,
    wakeupBytes: 64 << 10,
    batchBytes: 256 << 10,
    batchMs: 20,
    maxQueuedBatches: 4,
    stacks: { mode: 'default', budgetPerCpuPerSec: 1000 },
    ...rest,
    filters: { family: 0, port: 0, sport: 0, dport: 0, netns: 0, reasons: [], reasonExclude: false, ...filters },
  };
}

interface Recording {
  events: Event[];
  stacks: Map<number, bigint[]>;
  counters: Record<keyof Native.KernelCounters, number>;
  progId: number;
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/** starts a Tracer, runs provoke(), waits, stops, returns what arrived */
async function recordWhile(opts: Native.TracerOptions, provoke: () => void | Promise<void>, onBatch?: () => void): Promise<Recording> {
  const events: Event[] = [];
  const stacks = new Map<number, bigint[]>();
  const tracer = new native.Tracer(opts, (batch) => {
    decodeStacks(batch.stacks, stacks);
    const decoded = decodeEvents(batch);
    // the addon's own count of the batch's records without a stack
    expect(batch.stackless).toBe(decoded.filter((e) => e.stackId === 0).length);
    events.push(...decoded);
    onBatch?.();
  });
  expect(tracer.attach).toBe(opts.attach);
  try {
    await provoke();
    await sleep(100);
  } finally {
    await tracer.stop();
  }
  const raw = tracer.counters();
  const counters = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, sum(v)])) as Recording['counters'];
  for (const v of Object.values(raw)) expect(v).toHaveLength(tracer.nrCpus);
  return { events, stacks, counters, progId: tracer.progId };
}

describe.skipIf(!requireRoot())('native addon against the kernel', () => {
  const sandbox = useNetnsSandbox('dcnative');
  let symbolize: (addr: bigint) => string;
  let NO_SOCKET: number;
  let SOCKET_FILTER: number;

  beforeAll(() => {
    NO_SOCKET = reasonValue('NO_SOCKET');
    SOCKET_FILTER = reasonValue('SOCKET_FILTER');
  });

  /** one SYN to a closed port per family, from fixed source ports */
  function synToClosedPort(v4Port: number, v6Port: number): void {
    const script = `const net = require('net');
      net.connect({ host: '127.0.0.1', port: 9, localPort: ${v4Port} }).on('error', () => {});
      net.connect({ host: '::1', port: 9, localPort: ${v6Port} }).on('error', () => {});`;
    sandbox().exec(['node', '-e', script]);
  }

  const perMethod = new Map<string, Event[]>();
  const variants = [
    { label: 'tp_btf', attach: 'tp_btf', packetLoads: false },
    { label: 'tp_btf with packet loads', attach: 'tp_btf', packetLoads: true },
    { label: 'raw_tp', attach: 'raw_tp', packetLoads: false },
    { label: 'tracepoint', attach: 'tracepoint', packetLoads: false },
  ] as const;

  it('the tp_btf variant with packet loads loads from 6.17 and is refused before', () => {
    const make = () => new native.Tracer(options({ attach: 'tp_btf', packetLoads: true }), () => {});
    if (packetLoadsExpected()) void make().stop();
    else expect(make).toThrow(/loading BPF program/);
    // only tp_btf has the variant
    expect(() => new native.Tracer(options({ attach: 'raw_tp', packetLoads: true }), () => {})).toThrow(TypeError);
  });

  for (const { label, attach, packetLoads } of variants) {
    it(`${label}: SYN to a closed port gives NO_SOCKET over IPv4 and IPv6 with a stack`, async ({ skip }) => {
      if (packetLoads && !packetLoadsExpected()) skip('kernel before 6.17');
      const rec = await recordWhile(options({ attach, packetLoads, filters: { netns: sandbox().inode } }), () =>
        synToClosedPort(41001, 41006),
      );
      symbolize = loadKallsyms();
      expect(rec.events).toHaveLength(2);
      expect(rec.counters.seen).toBe(2);
      expect(rec.counters.ringbuf_lost).toBe(0);
      expect(rec.counters.seen).toBe(rec.events.length + rec.counters.ringbuf_lost);

      const v4 = rec.events.find((e) => e.family === 4)!;
      const v6 = rec.events.find((e) => e.family === 6)!;
      expect(v4.saddr.equals(IPV4_LOOPBACK) && v4.daddr.equals(IPV4_LOOPBACK)).toBe(true);
      expect(v6.saddr.equals(IPV6_LOOPBACK) && v6.daddr.equals(IPV6_LOOPBACK)).toBe(true);
      expect([v4.sport, v4.dport, v6.sport, v6.dport]).toEqual([41001, 9, 41006, 9]);
      for (const [e, rcv] of [[v4, 'tcp_v4_rcv'], [v6, 'tcp_v6_rcv']] as const) {
        expect(e.tcpFlags).toBe(SYN);
        expect(e.reason).toBe(NO_SOCKET);
        expect(e.flags & F_NO_REASON).toBe(0);
        expect(e.state).toBe(0); // no socket at all
        expect(e.skSource).toBe(0);
        expect(e.netns).toBe(sandbox().inode);
        expect(e.ifindex).toBe(1); // lo
        expect(symbolize(e.location)).toMatch(new RegExp(`^${rcv}\\+`));
        // first drop of its (location, reason): always a stack
        expect(e.flags & (F_STACK | F_NEW_SITE)).toBe(F_STACK | F_NEW_SITE);
        const frames = rec.stacks.get(e.stackId);
        expect(frames, 'the stack arrives with or before its event').toBeDefined();
        expect(frames).toHaveLength(e.stackFrames);
        expect(frames!.map(symbolize).some((s) => s.startsWith(`${rcv}+`))).toBe(true);
      }
      perMethod.set(label, rec.events);
    });
  }

  it('every attach method and variant reports the same drops', () => {
    const shape = (e: Event) =>
      [e.family, e.saddr.toString('hex'), e.daddr.toString('hex'), e.sport, e.dport, e.reason, e.tcpFlags, e.state, e.skSource, e.location].join(' ');
    const byMethod = [...perMethod.values()].map((events) => events.map(shape).sort());
    expect(byMethod).toHaveLength(packetLoadsExpected() ? 4 : 3);
    for (const events of byMethod.slice(1)) expect(events).toEqual(byMethod[0]);
  });

  it('an IPv6 SYN behind a destination-options header is parsed through to its TCP header', async () => {
    // the kernel computes the TCP checksum (IPV6_CHECKSUM) and inserts the
    // 8-byte options header (a PadN option) from the ancillary data
    const script = `
import socket, struct
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_TCP)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_CHECKSUM, 16)
tcp = struct.pack('!HHIIBBHHH', 45107, 7107, 1, 0, 5 << 4, 0x02, 1024, 0, 0)
dstopts = bytes([0, 0, 1, 4, 0, 0, 0, 0])
s.sendmsg([tcp], [(socket.IPPROTO_IPV6, socket.IPV6_DSTOPTS, dstopts)], 0, ('::1', 0))`;
    const tried = variants.filter((v) => v.attach !== 'tracepoint' && (!v.packetLoads || packetLoadsExpected()));
    for (const { label, attach, packetLoads } of tried) {
      const rec = await recordWhile(options({ attach, packetLoads, filters: { netns: sandbox().inode, dport: 7107 } }), () => {
        sandbox().exec(['python3', '-c', script]);
      });
      // the raw socket also queued a copy of its own SYN, dropped when it closes
      expect(rec.events.map((e) => [e.family, e.sport, e.dport, e.tcpFlags]), label).toEqual(rec.events.map(() => [6, 45107, 7107, SYN]));
      expect(rec.events.filter((e) => e.reason === NO_SOCKET), label).toHaveLength(1);
      expect(rec.counters.bad_header, label).toBe(0);
    }
  });

  it('comm comes out as bpf_get_current_comm() gives it, whichever way the program reads it', async () => {
    // a SYN to a closed port is dropped in the sender's own context: the
    // drop's task is this script, under the name it has at the time
    const script = `
import ctypes, socket, time
libc = ctypes.CDLL(None)
def syn(name, sport):
    libc.prctl(15, name, 0, 0, 0)  # PR_SET_NAME
    c = socket.socket(); c.setblocking(False); c.bind(('127.0.0.1', sport)); c.connect_ex(('127.0.0.1', 7105))
    time.sleep(0.05); c.close()
syn(b'dc-comm-fifteen', 45105)  # 15 bytes: the NUL is the last byte
syn(b'dc-x', 45106)             # shorter than before: the rest must read as zeros`;
    const expected = new Map([
      [45105, Buffer.from('dc-comm-fifteen\0', 'latin1')],
      [45106, Buffer.concat([Buffer.from('dc-x', 'latin1'), Buffer.alloc(12)])],
    ]);
    for (const attach of ['tp_btf', 'raw_tp'] as const) {
      const rec = await recordWhile(options({ attach, filters: { netns: sandbox().inode, dport: 7105 } }), () => {
        sandbox().exec(['python3', '-c', script]);
      });
      const bySport = new Map(rec.events.map((e) => [e.sport, e.commBytes.toString('hex')]));
      expect(bySport, attach).toEqual(new Map([...expected].map(([sport, bytes]) => [sport, bytes.toString('hex')])));
    }
  });

  it('a drop after the socket lookup carries the socket from rx_sk', async () => {
    // a listener whose socket filter refuses everything: SOCKET_FILTER on the
    // SYN, with skb->sk already cleared and the listener in rx_sk
    const script = `
import ctypes, socket, struct, time
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(('127.0.0.1', 7104)); srv.listen()
prog = ctypes.create_string_buffer(struct.pack('HBBI', 0x06, 0, 0, 0))  # ret #0
srv.setsockopt(socket.SOL_SOCKET, 26, struct.pack('HL', 1, ctypes.addressof(prog)))  # SO_ATTACH_FILTER
c = socket.socket(); c.setblocking(False); c.bind(('127.0.0.1', 45104)); c.connect_ex(('127.0.0.1', 7104))
time.sleep(0.05); c.close()  # before the SYN retransmit`;
    const rec = await recordWhile(options({ attach: 'tp_btf', filters: { netns: sandbox().inode } }), () => {
      sandbox().exec(['python3', '-c', script]);
    });
    expect(rec.events).toHaveLength(1);
    const e = rec.events[0]!;
    expect([e.sport, e.dport, e.tcpFlags, e.reason]).toEqual([45104, 7104, SYN, SOCKET_FILTER]);
    expect(e.skSource).toBe(SK_RX);
    expect(e.state).toBe(TCP_LISTEN);
  });

  it('filters run in the kernel and count what they reject', async () => {
    const netns = sandbox().inode;
    const only6 = await recordWhile(options({ filters: { netns, family: 6 } }), () => synToClosedPort(41011, 41016));
    expect(only6.events.map((e) => [e.family, e.sport])).toEqual([[6, 41016]]);
    expect(only6.counters.filtered).toBeGreaterThanOrEqual(1);

    const bySport = await recordWhile(options({ filters: { netns, sport: 41021 } }), () => synToClosedPort(41021, 41026));
    expect(bySport.events.map((e) => e.sport)).toEqual([41021]);

    const host = Buffer.alloc(16);
    host[15] = 1; // ::1
    const byHost = await recordWhile(options({ filters: { netns, host, hostFamily: 6 } }), () => synToClosedPort(41031, 41036));
    expect(byHost.events.map((e) => e.sport)).toEqual([41036]);

    const excluded = await recordWhile(options({ filters: { netns, reasons: [NO_SOCKET], reasonExclude: true } }), () =>
      synToClosedPort(41041, 41046),
    );
    expect(excluded.events).toHaveLength(0);
    expect(excluded.counters.seen).toBe(0);
    expect(excluded.counters.filtered).toBeGreaterThanOrEqual(2);

    const included = await recordWhile(options({ filters: { netns, reasons: [NO_SOCKET], reasonExclude: false } }), () =>
      synToClosedPort(41051, 41056),
    );
    expect(included.events.map((e) => e.sport).sort()).toEqual([41051, 41056]);
  });

  it('a tiny ring and a slow consumer lose events, and every loss is counted', async () => {
    // RSTs to a closed port: exactly one NO_SOCKET drop each, no replies
    const total = 3000;
    const script = `
import socket, struct
def csum(b):
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b)); s = (s >> 16) + (s & 0xffff); s += s >> 16
    return ~s & 0xffff
lo = socket.inet_aton('127.0.0.1')
fd = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
for i in range(${total}):
    tcp = struct.pack('!HHIIBBHHH', 30000 + i % 20000, 9, i, 0, 5 << 4, ${RST}, 1024, 0, 0)
    c = csum(lo + lo + struct.pack('!BBH', 0, 6, len(tcp)) + tcp)
    tcp = tcp[:16] + struct.pack('!H', c) + tcp[18:]
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 40, 0, 0, 64, 6, 0, lo, lo)
    fd.sendto(ip + tcp, ('127.0.0.1', 0))`;
    const rec = await recordWhile(
      options({
        ringBytes: 2 * 4096,
        wakeupBytes: 4096,
        batchBytes: 16 * EVENT_SIZE,
        maxQueuedBatches: 1,
        stacks: { mode: 'none', budgetPerCpuPerSec: 0 },
        filters: { netns: sandbox().inode },
      }),
      () => {
        sandbox().exec(['python3', '-c', script]);
      },
      () => {
        const until = Date.now() + 20;
        while (Date.now() < until) {
          // a consumer that cannot keep up
        }
      },
    );
    expect(rec.counters.ringbuf_lost).toBeGreaterThan(0);
    expect(rec.events.length + rec.counters.ringbuf_lost).toBe(rec.counters.seen);
    expect(rec.counters.seen).toBe(total);
    expect(rec.events.every((e) => e.tcpFlags === RST && e.dport === 9 && e.reason === NO_SOCKET)).toBe(true);
  });

  it('stop() is idempotent, keeps the final counters and unloads the program', async () => {
    const tracer = new native.Tracer(options({ filters: { netns: sandbox().inode } }), () => {});
    const progId = tracer.progId;
    expect(execFileSync('bpftool', ['prog', 'show', 'id', String(progId)]).toString()).toContain('dropcap_tp_btf');
    synToClosedPort(41061, 41066);
    await sleep(50);
    await Promise.all([tracer.stop(), tracer.stop()]);
    await tracer.stop();
    expect(sum(tracer.counters().seen)).toBe(2);
    // the kernel frees the program after an RCU grace period
    let loaded = true;
    for (let i = 0; i < 50 && loaded; i++) {
      await sleep(100);
      try {
        execFileSync('bpftool', ['prog', 'show', 'id', String(progId)], { stdio: 'pipe' });
      } catch {
        loaded = false;
      }
    }
    expect(loaded).toBe(false);
  });

  it('lends each batch for its callback only: kept buffers read as empty, and recycled memory carries new events', async () => {
    const kept: Buffer[] = [];
    const copies: Buffer[] = [];
    let planesRight = 0;
    // small batches, so a storm goes through far more batches than the pool
    // holds; 43 records, not a multiple of 8
    const opts = options({ batchBytes: 43 * EVENT_SIZE, maxQueuedBatches: 2, encodePlanes: true, stacks: { mode: 'none', budgetPerCpuPerSec: 0 }, filters: { netns: sandbox().inode } });
    const tracer = new native.Tracer(opts, (batch) => {
      expect(batch.events.length).toBe(batch.count * EVENT_SIZE);
      // the poll thread's block body decodes to the events
      if (batch.planesBody && decodePlanesToRecords(batch.planesBody, batch.events.length, EVENT_SIZE).equals(batch.events)) planesRight++;
      kept.push(batch.events, batch.planesBody!);
      copies.push(Buffer.from(batch.events));
    });
    let made = 0;
    try {
      made = (await runStorm(sandbox(), { count: 5000 })).expectedDrops;
      await sleep(100);
    } finally {
      await tracer.stop();
    }
    expect(made).toBe(5000);
    expect(sum(tracer.counters().seen)).toBe(5000);
    expect(copies.length).toBeGreaterThan(100);
    expect(planesRight).toBe(copies.length);
    // after its callback a batch's memory is taken back: nothing can read a batch being refilled
    expect(kept.every((b) => b.length === 0)).toBe(true);
    // every drop arrived once: a recycled batch holds only its own events
    const all = Buffer.concat(copies);
    const times = new Set<bigint>();
    for (let off = 0; off < all.length; off += EVENT_SIZE) times.add(all.readBigUInt64LE(off));
    expect(all.length / EVENT_SIZE).toBe(5000);
    expect(times.size).toBe(5000);
  });

  it('encodePlanes makes the format package\'s deflate-planes body, for any record size and count', () => {
    // byte p of record r: constant when p % 3 == 0, different in the last
    // record only when p % 3 == 1 (the scan must reach the end), else varying
    const recordsOf = (size: number, count: number): Buffer => {
      const records = Buffer.alloc(size * count);
      for (let r = 0; r < count; r++) {
        for (let p = 0; p < size; p++) {
          const kind = p % 3;
          records[r * size + p] = kind === 0 ? (p * 31) & 0xff : kind === 1 ? (r === count - 1 ? p + 1 : p) & 0xff : (r * 7919 + p * 13 + (r >> 7)) & 0xff;
        }
      }
      return records;
    };
    const constantIn = (split: Buffer, size: number): number => {
      let n = 0;
      for (let p = 0; p < size; p++) n += (split[p >> 3]! >> (p & 7)) & 1;
      return n;
    };
    let constantPlanesSeen = 0;
    for (const size of [EVENT_SIZE, 4, 8, 3, 121]) {
      for (const count of [0, 1, 2, 3, 7, 8, 9, 1000, 1001, 1007]) {
        const records = recordsOf(size, count);
        const split = splitPlanes(shuffle(records, size), size);
        const body = native.encodePlanes(records, size);
        const head = split.length - (size - constantIn(split, size)) * count;
        // bitmap and constant bytes as the reference makes them, then its varying planes deflated
        expect(body.subarray(0, head).equals(split.subarray(0, head)), `size ${size}, count ${count}`).toBe(true);
        expect(zlib.inflateRawSync(body.subarray(head)).equals(split.subarray(head)), `size ${size}, count ${count}`).toBe(true);
        if (count > 0) expect(decodePlanesToRecords(body, records.length, size).equals(records)).toBe(true);
        if (count > 1 && head > Math.ceil(size / 8)) constantPlanesSeen++;
      }
    }
    // the cases did exercise constant planes, not only all-varying ones
    expect(constantPlanesSeen).toBeGreaterThan(20);
    expect(() => native.encodePlanes(Buffer.alloc(10), 4)).toThrow(RangeError);
  });

  it('rejects bad options with a TypeError and failed steps with an errno code', () => {
    expect(() => new native.Tracer(options({ attach: 'kprobe' as Native.AttachMethod }), () => {})).toThrow(TypeError);
    expect(() => new native.Tracer(options(), undefined as unknown as () => void)).toThrow(TypeError);
    expect(() => new native.Tracer(options({ filters: { reasons: new Array<number>(17).fill(2) } }), () => {})).toThrow(TypeError);
    let error: (Error & { code?: string }) | undefined;
    try {
      new native.Tracer(options({ ringBytes: 0 }), () => {});
    } catch (e) {
      error = e as Error & { code?: string };
    }
    expect(error?.code).toBe('EINVAL');
    expect(error?.message).toBe('creating the ring buffers failed (EINVAL)');
  });

  it('clocks() reads CLOCK_MONOTONIC like process.hrtime', () => {
    const before = process.hrtime.bigint();
    const clocks = native.clocks();
    const after = process.hrtime.bigint();
    expect(clocks.monotonic_ns >= before && clocks.monotonic_ns <= after).toBe(true);
    expect(clocks.boottime_ns >= clocks.monotonic_ns).toBe(true);
    expect(clocks.realtime_ns > 1_600_000_000n * 1_000_000_000n).toBe(true);
    expect(native.EVENT_SIZE).toBe(EVENT_SIZE);
  });
});
