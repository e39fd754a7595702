import { describe, expect, it } from 'vitest';
import type { SummaryData } from '../../packages/analyzer/src/commands/summary-data.js';
import { dataLossWarnings, formatSummary } from '../../packages/analyzer/src/output/summary-text.js';

const S = 1_000_000_000n;
const START = 1_795_000_000n * S;

function data(overrides: Partial<SummaryData> = {}): SummaryData {
  return {
    captures: [
      {
        capture_id: 1,
        path: 'demo.dcap',
        host: 'web1',
        kernel_release: '6.18.0',
        attach: 'tp_btf',
        start_time: '2026-11-18T18:13:20.000000000Z',
        end_time: '2026-11-18T18:13:30.000000000Z',
        duration_s: 10,
        events: 6,
      },
    ],
    stats: [
      { capture_id: 1, name: 'lost_events', severity: 'data_loss', value: 123, description: 'events lost' },
      { capture_id: 1, name: 'stack_budget', severity: 'info', value: 2, description: 'no stack: budget' },
      { capture_id: 1, name: 'unknown_blocks', severity: 'info', value: 0, description: 'unknown blocks' },
    ],
    filtered: false,
    totals: { drops: 6, all_drops: 6, reasons: 2, sites: 2, flows: 3, with_stack: 4 },
    top_reasons: [
      { reason: 'NO_SOCKET', reason_code: 2, subsystem: 'core', drops: 4, share: 4 / 6 },
      { reason: 'NETFILTER_DROP', reason_code: 12, subsystem: 'core', drops: 2, share: 2 / 6 },
    ],
    top_sites: [{ function: 'tcp_v4_rcv', drops: 4, reasons: 'NO_SOCKET' }],
    top_flows: [{ saddr: '127.0.0.1', sport: 40000, daddr: '127.0.0.1', dport: 9, drops: 4, reasons: 'NO_SOCKET' }],
    top_stacks: [
      {
        stack_id: 1,
        drops: 4,
        location: 'tcp_v4_rcv+0x91',
        frames: ['bpf_prog_x+0x1 [bpf]', 'bpf_trace_run4+0x2', 'sk_skb_reason_drop+0x3', 'tcp_v4_rcv+0x91', 'ip_protocol_deliver_rcu+0x30', 'ip_local_deliver_finish+0x10'],
      },
    ],
    timeline: { start_ns: START, bucket_ns: S, counts: [1, 0, 4, 1], by_reason: [{ reason: 'NO_SOCKET', counts: [0, 0, 4, 0] }] },
    ...overrides,
  };
}

describe('summary text', () => {
  const lines = formatSummary(data(), { time: 'utc', stackDepth: 1 });

  it('shows capture info', () => {
    expect(lines[0]).toBe('Capture 1  demo.dcap');
    expect(lines).toContain('  host      web1');
    expect(lines).toContain('  attach    tp_btf');
    expect(lines).toContain('  duration  10.0 s');
  });

  it('notes stack-less drops; the data-loss warnings are left to stderr (dataLossWarnings)', () => {
    expect(lines).toContain('note: 2 drops recorded without a stack (per-CPU stack budget spent)');
    expect(lines.join('\n')).not.toMatch(/events lost|WARNING/);
  });

  it('prints the top tables', () => {
    const at = lines.indexOf('Top reasons');
    expect(lines.slice(at + 1, at + 5)).toEqual([
      '  reason          code  drops  share',
      '  --------------  ----  -----  -----',
      '  NO_SOCKET          2      4  66.7%',
      '  NETFILTER_DROP    12      2  33.3%',
    ]);
    expect(lines).toContain('  127.0.0.1:40000 > 127.0.0.1:9      4  NO_SOCKET');
    expect(lines).toContain('  tcp_v4_rcv      4  NO_SOCKET');
  });

  it('prints top stacks trimmed to the drop site and abbreviated', () => {
    const at = lines.indexOf('Top stacks');
    expect(lines.slice(at + 1, at + 4)).toEqual(['  #1  4 drops  (stack 1, at tcp_v4_rcv+0x91)', '\ttcp_v4_rcv+0x91', '\t... 2 more frames']);
  });

  it('draws drops over time, overall and per top reason', () => {
    const at = lines.indexOf('Drops over time');
    expect(lines[at + 1]).toBe(`  1 column = 1 s, ${new Date(Number(START / 1_000_000n)).toISOString().slice(11, 19)} to ${new Date(Number(START / 1_000_000n) + 4000).toISOString().slice(11, 19)} UTC`);
    expect(lines[at + 2]).toBe(`  ${'all'.padEnd(24)} ▂ █▂  max 4 per 1 s`);
    expect(lines[at + 3]).toBe(`  ${'NO_SOCKET'.padEnd(24)}   █   max 4 per 1 s`);
  });

  it('says how many drops matched when filtered', () => {
    const filtered = formatSummary(data({ filtered: true, totals: { drops: 2, all_drops: 6, reasons: 1, sites: 1, flows: 1, with_stack: 0 } }));
    expect(filtered).toContain('  2 drops matching the filters (of 6), 1 reason, 1 drop site, 1 flow, 0 with a stack');
  });

  it('sanitizes capture strings and colours only when asked', () => {
    const evil = formatSummary(data({ top_sites: [{ function: 'x\u001b[2Jy', drops: 1, reasons: 'R' }] }));
    expect(evil.join('\n')).not.toContain('\u001b');
    const coloured = formatSummary(data(), { color: true });
    expect(coloured.some((l) => l.includes('\u001b[1m'))).toBe(true);
    expect(formatSummary(data()).join('\n')).not.toContain('\u001b');
  });
});

describe('dataLossWarnings', () => {
  it('ignores zero and info stats, names the capture when there are several', () => {
    const stats = [
      { capture_id: 2, name: 'lost_events', severity: 'data_loss', value: 1, description: null },
      { capture_id: 2, name: 'unclean_stop', severity: 'data_loss', value: 1, description: null },
      { capture_id: 1, name: 'lost_events', severity: 'data_loss', value: 0, description: null },
      { capture_id: 1, name: 'events', severity: 'info', value: 50, description: null },
    ];
    expect(dataLossWarnings(stats, 2)).toEqual([
      '1 event lost (ring buffer full) in capture 2',
      'capture 2 did not end cleanly (recorder killed?); read up to its last complete block',
    ]);
  });
  it('an END block not reached because reading stopped at damage is not blamed on the recorder', () => {
    const stats = [
      {
        capture_id: 1,
        name: 'unclean_stop',
        severity: 'data_loss',
        value: 1,
        description: 'END block not reached: reading stopped at the block checksum mismatch at byte 872035; whether the recording stopped cleanly is unknown.',
      },
    ];
    expect(dataLossWarnings(stats, 1)).toEqual([
      "the capture's END block was not reached: reading stopped at the block checksum mismatch at byte 872035; whether the recording stopped cleanly is unknown",
    ]);
  });
  it('warns when losses are unknown (no STATS block), and words unknown counters from their description', () => {
    const stats = [
      { capture_id: 1, name: 'stats_blocks', severity: 'error', value: 0, description: null },
      { capture_id: 1, name: 'ringbuf_lost', severity: 'data_loss', value: 9, description: 'part of lost_events' },
      { capture_id: 1, name: 'future_counter', severity: 'error', value: 2, description: 'Something new.' },
    ];
    expect(dataLossWarnings(stats, 1)).toEqual([
      'the capture has no STATS block: how many events were lost is unknown',
      'future_counter = 2: Something new.',
    ]);
  });
});
