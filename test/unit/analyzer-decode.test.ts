import { describe, expect, it } from 'vitest';
import {
  BlockType,
  CaptureReader,
  EVENT_LAYOUT_V1,
  EventFlags,
  packValue,
} from '@dropcap/format';
import {
  CaptureContext,
  ClockMap,
  EventDecoder,
  ReasonTable,
  Symbolizer,
  formatAddress,
  isoFromRealtimeNs,
  tcpFlagsString,
  tcpStateName,
} from '@dropcap/analyzer';
import {
  CLOCK_OFFSET_NS,
  KALLSYMS,
  KERNEL,
  REASON_ENUMS,
  START_MONO,
  encodeEvent,
  tmpDir,
  writeSyntheticCapture,
} from '../support/synthetic-capture.js';

const v6 = (s: string) => {
  const b = Buffer.alloc(16);
  const [h, t] = s.split('::');
  const hg = h ? h.split(':') : [];
  const tg = t !== undefined && t !== '' ? t.split(':') : [];
  const g = t === undefined ? hg : [...hg, ...Array(8 - hg.length - tg.length).fill('0'), ...tg];
  g.forEach((x, i) => b.writeUInt16BE(parseInt(x, 16), 2 * i));
  return b;
};

describe('formatAddress', () => {
  it('prints IPv4 from the first 4 bytes', () => {
    expect(formatAddress(4, Buffer.from([10, 211, 55, 10, 9, 9, 9, 9, 0, 0, 0, 0, 0, 0, 0, 0]))).toBe('10.211.55.10');
  });
  it.each([
    ['2001:db8:0:0:0:0:2:1', '2001:db8::2:1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // one zero group stays
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'], // the longest run wins
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // the first run wins a tie
    ['0:0:0:0:0:0:0:1', '::1'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['fe80:0:0:0:0:0:0:0', 'fe80::'],
    ['2001:DB8:0:0:0:0:0:ABCD', '2001:db8::abcd'],
    ['0:0:0:0:0:ffff:c000:280', '::ffff:192.0.2.128'],
  ])('compresses %s to %s (RFC 5952)', (full, short) => {
    expect(formatAddress(6, v6(full))).toBe(short);
  });
});

describe('tcp names', () => {
  it('names states as tcpdrop does', () => {
    expect([0, 1, 2, 3, 10, 12].map(tcpStateName)).toEqual(['NONE', 'ESTABLISHED', 'SYN_SENT', 'SYN_RECV', 'LISTEN', 'NEW_SYN_RECV']);
    expect(tcpStateName(99)).toBe('UNKNOWN(99)');
  });
  it('writes flags in bcc order', () => {
    expect(tcpFlagsString(0x12)).toBe('SYN|ACK');
    expect(tcpFlagsString(0x02)).toBe('SYN');
    expect(tcpFlagsString(0x14)).toBe('RST|ACK');
    expect(tcpFlagsString(0xff)).toBe('FIN|SYN|RST|PSH|ACK|URG|ECE|CWR');
    expect(tcpFlagsString(0)).toBe('');
  });
});

describe('Symbolizer', () => {
  const s = Symbolizer.fromKallsyms(KALLSYMS);
  it('resolves sym+0xoff with binary search over unsorted input', () => {
    expect(s.format(KERNEL.tcp_v4_rcv + 0x91n)).toBe('tcp_v4_rcv+0x91');
    expect(s.format(KERNEL.ip_local_deliver)).toBe('ip_local_deliver+0x0');
    expect(s.lookup(KERNEL.tcp_v6_rcv + 0x10n)).toEqual({ name: 'tcp_v6_rcv', offset: 0x10n, module: null });
  });
  it('keeps the first listed alias at one address', () => {
    expect(s.lookup(KERNEL.tcp_v4_rcv)?.name).toBe('tcp_v4_rcv');
  });
  it('names modules and BPF programs', () => {
    expect(s.format(KERNEL.nft_do_chain + 0x93cn)).toBe('nft_do_chain+0x93c [nf_tables]');
    expect(s.format(KERNEL.bpf_prog + 0x4n)).toBe('bpf_prog_6deef7357e7b4530_dropcap+0x4 [bpf]');
  });
  it('ignores data symbols and zero addresses; unknown addresses print as hex', () => {
    // 0xffffffff82000010 is past a data symbol: the nearest text symbol is far away
    expect(s.format(0xffffffff82000010n)).toBe('0xffffffff82000010');
    expect(s.format(0x1000n)).toBe('0x0000000000001000');
    expect(Symbolizer.fromKallsyms('0000000000000000 T tcp_v4_rcv\n').size).toBe(0);
  });
  it('takes only well-formed text-symbol lines', () => {
    const junk = [
      'fffffff 12345678 T spaced', // a space inside the address
      'ffffffff8100000g T badhex',
      'ffffffff81000000 D data_symbol',
      'ffffffff81000000 T',
      'ffffffff81000000Ttight',
      '11111111111111111 T seventeen_digits',
      'ffffffff81000000 T ' + 'x'.repeat(600), // a name past KSYM_NAME_LEN: skipped, counted
    ].join('\n');
    const sym = Symbolizer.fromKallsyms(`${junk}\nffffffff81000010 T good\tnot_a_module\nffffffff81000020 t in_mod\t[nf_tables]\n`);
    expect(sym.size).toBe(2);
    expect(sym.skipped).toBe(1);
    expect(sym.lookup(0xffffffff81000011n)).toEqual({ name: 'good', offset: 1n, module: null });
    expect(sym.lookup(0xffffffff81000022n)).toEqual({ name: 'in_mod', offset: 2n, module: 'nf_tables' });
  });
  it('reads addresses of any width, in order or not, keeping the first alias either way', () => {
    const inOrder = '1000 T low\n00000001deadbeef T mid\n00000001deadbeef T mid_alias\nffffffff81000000 T high\n';
    const shuffled = inOrder.split('\n').reverse().join('\n');
    for (const text of [inOrder, shuffled]) {
      const sym = Symbolizer.fromKallsyms(text);
      expect(sym.size).toBe(3);
      expect(sym.format(0x1010n)).toBe('low+0x10');
      expect(sym.format(0x1deadbeffn)).toBe(text === inOrder ? 'mid+0x10' : 'mid_alias+0x10');
      expect(sym.format(0xffffffff81000001n)).toBe('high+0x1');
    }
  });
});

describe('ReasonTable', () => {
  const t = ReasonTable.fromEnums(REASON_ENUMS);
  it('uses the capture numbering and strips the prefix', () => {
    expect(t.name(2)).toBe('NOT_SPECIFIED');
    expect(t.name(3)).toBe('NO_SOCKET');
    expect(t.name(12)).toBe('NETFILTER_DROP');
    expect(t.name(0)).toBe('SKB_NOT_DROPPED_YET');
  });
  it('resolves subsystem reasons and names the subsystem from value >> 16', () => {
    expect(t.name((3 << 16) | 2)).toBe('OVS_DROP_ACTION_ERROR');
    expect(t.subsystem((3 << 16) | 2)).toBe('OPENVSWITCH');
    expect(t.subsystem(12)).toBe('CORE');
    expect(t.subsystem(9 << 16)).toBe('SUBSYS(9)');
  });
  it('does not mistake subsystem ids or bookkeeping values for reasons', () => {
    expect(t.name(0xffff0000)).toBe(`UNKNOWN(${0xffff0000})`);
    expect(t.name(128)).toBe('UNKNOWN(128)');
    expect(t.name(77)).toBe('UNKNOWN(77)');
  });
  it('differs with the numbering of another kernel', () => {
    const old = ReasonTable.fromEnums({ skb_drop_reason: [['SKB_DROP_REASON_NOT_SPECIFIED', 0], ['SKB_DROP_REASON_NO_SOCKET', 1]] });
    expect(old.name(1)).toBe('NO_SOCKET');
  });
});

describe('ClockMap', () => {
  it('converts with the latest pair at or before the timestamp', () => {
    const m = ClockMap.fromPairs([
      { monotonic_ns: 1000n, realtime_ns: 1_700_000_000_000_000_000n },
      { monotonic_ns: 5000n, realtime_ns: 1_700_000_000_000_004_500n }, // clock stepped back 500 ns
    ]);
    expect(m.toRealtimeNs(2000n)).toBe(1_700_000_000_000_001_000n);
    expect(m.toRealtimeNs(6000n)).toBe(1_700_000_000_000_005_500n);
    expect(m.toRealtimeNs(500n)).toBe(1_699_999_999_999_999_500n); // before the first pair: the first pair
    expect(m.toRealtimeNs(2000n)).toBe(1_700_000_000_000_001_000n); // back again (cache miss path)
  });
  it('formats ISO 8601 UTC with microseconds', () => {
    expect(isoFromRealtimeNs(1_763_843_079_123_456_789n)).toBe('2025-11-22T20:24:39.123456Z');
    expect(isoFromRealtimeNs(1_763_843_079_000_000_999n)).toBe('2025-11-22T20:24:39.000000Z');
    expect(new ClockMap().toIso(5_000_000_000n)).toBe('1970-01-01T00:00:05.000000Z');
  });
});

describe('EventDecoder', () => {
  it('decodes every field of a record through the capture context', () => {
    const t = tmpDir();
    try {
      const file = t.file('one.dcap');
      const spec = {
        ts_ns: START_MONO + 1_234_567_891n,
        location: KERNEL.tcp_v6_rcv + 0x1a2n,
        family: 6 as const,
        saddr: '2001:db8::1',
        daddr: 'fe80::2:3',
        pid: 4242,
        tid: 4243,
        netns: 4026531840,
        ifindex: 1,
        reason: 30,
        seq: 0xdeadbeef,
        ack_seq: 0xcafebabe,
        len: 1480,
        mark: 0x77,
        stack_id: 1,
        sport: 443,
        dport: 51234,
        cpu: 1,
        window: 65535,
        state: 2,
        tcp_flags: 0x12,
        sk_source: 2,
        flags: EventFlags.STACK | EventFlags.NEW_SITE,
        stack_frames: 5,
        comm: 'curl',
      };
      writeSyntheticCapture(file, { events: [spec] });
      const ctx = new CaptureContext(file);
      const dec = new EventDecoder(ctx, { captureId: 3 });
      let row;
      for (const b of CaptureReader.open(file).blocks()) {
        if (b.type === BlockType.Events) row = dec.decode(b.body, 0);
        else ctx.accept(b);
      }
      expect(ctx.warnings).toEqual([]);
      expect(row).toEqual({
        capture_id: 3,
        host: 'testhost',
        time_ns: spec.ts_ns + CLOCK_OFFSET_NS,
        time: isoFromRealtimeNs(spec.ts_ns + CLOCK_OFFSET_NS),
        cpu: 1,
        pid: 4242,
        tid: 4243,
        comm: 'curl',
        family: 6,
        saddr: '2001:db8::1',
        sport: 443,
        daddr: 'fe80::2:3',
        dport: 51234,
        state: 'SYN_SENT',
        tcp_flags: 'SYN|ACK',
        reason: 'TCP_FLAGS',
        reason_code: 30,
        subsystem: 'CORE',
        location: 'tcp_v6_rcv+0x1a2',
        location_addr: BigInt.asIntN(64, KERNEL.tcp_v6_rcv + 0x1a2n),
        netns: 4026531840,
        ifindex: 1,
        ifname: 'lo',
        len: 1480,
        seq: 0xdeadbeef,
        ack_seq: 0xcafebabe,
        window: 65535,
        mark: 0x77,
        sk_source: 'rx_sk',
        stack_id: 1,
        stack_status: 'taken',
        new_site: 1,
      });
      expect(ctx.stackFrames(1)).toEqual([
        'bpf_prog_6deef7357e7b4530_dropcap+0x4 [bpf]',
        'sk_skb_reason_drop+0x1e4',
        'tcp_v4_rcv+0x91',
        'ip_local_deliver+0x44',
        '__netif_receive_skb+0x10',
      ]);
    } finally {
      t.cleanup();
    }
  });

  it('locates fields by name in the layout from the file, not fixed offsets', () => {
    // a future layout: fields reordered, a new field, and comm missing
    const fields = [
      { name: 'extra', offset: 0, size: 4, type: 'u32' as const },
      { name: 'reason', offset: 4, size: 4, type: 'u32' as const },
      { name: 'ts_ns', offset: 8, size: 8, type: 'u64' as const },
      { name: 'saddr', offset: 16, size: 16, type: 'bytes' as const },
      { name: 'daddr', offset: 32, size: 16, type: 'bytes' as const },
      { name: 'family', offset: 48, size: 1, type: 'u8' as const },
      { name: 'tcp_flags', offset: 49, size: 1, type: 'u8' as const },
      { name: 'dport', offset: 50, size: 2, type: 'u16' as const },
      { name: 'sport', offset: 52, size: 2, type: 'u16' as const },
      { name: 'pid', offset: 56, size: 8, type: 'u64' as const },
    ];
    const layout = { name: 'dropcap_event', version: 2, size: 64, fields };
    const ctx = new CaptureContext('v2');
    ctx.accept({ type: BlockType.RecordLayout, flags: 0, offset: 0, body: packValue(layout) });
    ctx.accept({ type: BlockType.Reasons, flags: 0, offset: 0, body: packValue({ enums: REASON_ENUMS }) });
    const rec = encodeEvent({ reason: 12, saddr: '192.0.2.1', daddr: '198.51.100.7', sport: 1, dport: 2, tcp_flags: 4, pid: 99 }, layout);
    const row = new EventDecoder(ctx).decode(rec, 0);
    expect(row).toMatchObject({ reason: 'NETFILTER_DROP', saddr: '192.0.2.1', daddr: '198.51.100.7', sport: 1, dport: 2, tcp_flags: 'RST', pid: 99, comm: '', cpu: 0 });
    expect(ctx.warnings.join()).toMatch(/lacks .*comm/);
  });

  it('shows NO_REASON when the kernel had no reason argument and rejects an out-of-range index', () => {
    const ctx = new CaptureContext('x');
    ctx.accept({ type: BlockType.RecordLayout, flags: 0, offset: 0, body: packValue(EVENT_LAYOUT_V1) });
    const rec = encodeEvent({ flags: EventFlags.NO_REASON | EventFlags.STACK_BUDGET, reason: 0 });
    const dec = new EventDecoder(ctx);
    expect(dec.decode(rec, 0)).toMatchObject({ reason: 'NO_REASON', reason_code: 0, stack_status: 'budget', stack_id: null });
    expect(() => dec.decode(rec, 1)).toThrow(RangeError);
  });
});
