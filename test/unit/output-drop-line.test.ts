import { describe, expect, it } from 'vitest';
import { formatDropHeader, formatDropLine, formatStack, formatTimeOfDay, trimStack } from '../../packages/analyzer/src/output/index.js';

// Verbatim from bcc's tools/tcpdrop_example.txt (/work/shared/seeds).
const SEED_HEADER = 'TIME     PID     IP SADDR:SPORT          > DADDR:DPORT          STATE (FLAGS)        REASON (CODE)';
const SEED_LINE = '14:46:49 0       4  39.156.66.10:80      > 10.211.55.10:33280   SYN_SENT (SYN|ACK)   NETFILTER_DROP (12)';
const SEED_STACK = [
  '__traceiter_kfree_skb+0x90',
  '__traceiter_kfree_skb+0x90',
  'sk_skb_reason_drop+0x1e4',
  'nft_do_chain+0x93c',
  'nft_do_chain_ipv4+0x16c',
  'nf_hook_slow+0xb0',
  'ip_local_deliver+0x244',
];

const seedRow = {
  time: '2026-11-22T14:46:49.123456789Z',
  pid: 0,
  family: 4,
  saddr: '39.156.66.10',
  sport: 80,
  daddr: '10.211.55.10',
  dport: 33280,
  state: 'SYN_SENT',
  tcp_flags: 'SYN|ACK',
  reason: 'NETFILTER_DROP',
  reason_code: 12,
};

// Start offset of each column in a seed line: where each field begins.
function columnStarts(line: string): number[] {
  const starts: number[] = [];
  for (let i = 0; i < line.length; i++) {
    if (line[i] !== ' ' && (i === 0 || line[i - 1] === ' ')) starts.push(i);
  }
  return starts;
}

describe('seed line format', () => {
  it('prints the header exactly as tcpdrop does', () => {
    expect(formatDropHeader()).toBe(SEED_HEADER);
  });

  it('reproduces the seed example line byte for byte', () => {
    expect(formatDropLine(seedRow, { time: 'utc' })).toBe(SEED_LINE);
  });

  it('puts every column at the seed offsets (TIME 8, PID 7, IP 2, endpoints 20, state 20)', () => {
    const line = formatDropLine({ ...seedRow, pid: 4242, saddr: '127.0.0.1', sport: 5, dport: 1 }, { time: 'utc' });
    // Seed offsets: TIME 0, PID 9, IP 17, SADDR 20, '>' 41, DADDR 43, STATE 64, REASON 85 (+ "(SYN|ACK)" and "(12)").
    expect(columnStarts(line)).toEqual(columnStarts(SEED_LINE));
    expect(line.slice(9, 17)).toBe('4242    ');
    expect(line.slice(20, 41)).toBe('127.0.0.1:5          ');
  });

  it('lets a long IPv6 endpoint push later columns right instead of truncating', () => {
    const line = formatDropLine(
      { ...seedRow, family: 6, saddr: '2001:db8::dead:beef:1', sport: 443, daddr: '::1', dport: 1 },
      { time: 'utc' },
    );
    expect(line).toContain(' 6  2001:db8::dead:beef:1:443 > ::1:1                SYN_SENT (SYN|ACK)   ');
  });

  it('writes an empty flag set as the seed does: STATE ()', () => {
    expect(formatDropLine({ ...seedRow, state: 'NONE', tcp_flags: '' }, { time: 'utc' })).toContain(' NONE ()              NETFILTER_DROP (12)');
  });

  it('strips terminal escapes from capture strings', () => {
    const line = formatDropLine({ ...seedRow, reason: 'EVIL\u001b]0;pwned\u0007_REASON\u001b[31m' }, { time: 'utc' });
    expect(line).not.toMatch(/[\u0000-\u001f]/);
    expect(line.endsWith('EVIL_REASON (12)')).toBe(true);
  });

  it('formats the time of day in the local zone by default', () => {
    const iso = '2026-11-22T14:46:49.5Z';
    const d = new Date(iso);
    const expected = [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
    expect(formatTimeOfDay({ time: iso })).toBe(expected);
    expect(formatTimeOfDay({ time_ns: 1_795_358_809_500_000_000n }, 'utc')).toBe(new Date(1_795_358_809_500).toISOString().slice(11, 19));
  });
});

describe('stack trimming', () => {
  it('starts the stack at the drop location, as in the seed example', () => {
    expect(formatStack(SEED_STACK, { location: 'nft_do_chain+0x93c' })).toEqual([
      '\tnft_do_chain+0x93c',
      '\tnft_do_chain_ipv4+0x16c',
      '\tnf_hook_slow+0xb0',
      '\tip_local_deliver+0x244',
    ]);
  });

  it('without a location, drops only the leading tracing frames', () => {
    const frames = ['bpf_prog_6deef7357e7b4530_dropcap_tp+0x1e7 [bpf]', 'bpf_trace_run4+0x8a', 'kfree_skb_reason+0x5e', 'tcp_v4_rcv+0x91', 'ip_protocol_deliver_rcu+0x30'];
    expect(trimStack(frames)).toEqual(['tcp_v4_rcv+0x91', 'ip_protocol_deliver_rcu+0x30']);
  });

  it('cuts at the location even after an unknown frame, and keeps frames below intact', () => {
    const frames = ['0xffffffffc0001234', 'sk_skb_reason_drop+0x10', 'tcp_v6_rcv+0x22', 'kfree_skb_reason+0x1', 'ip6_input+0x4'];
    expect(trimStack(frames, { location: 'tcp_v6_rcv+0x22' })).toEqual(['tcp_v6_rcv+0x22', 'kfree_skb_reason+0x1', 'ip6_input+0x4']);
  });

  it('keeps a stack made only of tracing frames rather than printing nothing', () => {
    expect(trimStack(['bpf_trace_run4+0x1', 'sk_skb_reason_drop+0x2'])).toEqual(['bpf_trace_run4+0x1', 'sk_skb_reason_drop+0x2']);
  });

  it('sanitizes frame names from the capture', () => {
    expect(formatStack(['evil\u001b[2Jfn+0x1'])).toEqual(['\tevilfn+0x1']);
  });
});
