// The bounds the fuzzer made the decoder grow (docs/reliability.md): clock
// pairs in hostile order, times outside int64, kallsyms bombs.
import { describe, expect, it } from 'vitest';
import { ClockMap, Symbolizer } from '@dropcap/analyzer';

describe('ClockMap under hostile clock pairs', () => {
  it('takes pairs in order in O(1) and finds the latest pair at or before a time', () => {
    const m = new ClockMap();
    let taken = 0;
    const t0 = performance.now();
    for (let i = 0; i < 100_000; i++) if (m.add({ monotonic_ns: BigInt(i) * 10n, realtime_ns: BigInt(i) * 10n + BigInt(i) })) taken++;
    expect(performance.now() - t0).toBeLessThan(2_000);
    expect(taken).toBe(100_000);
    expect(m.pairs).toBe(100_000);
    expect(m.toRealtimeNs(55n)).toBe(55n + 5n);
    expect(m.toRealtimeNs(999_990n)).toBe(999_990n + 99_999n);
  });

  it('inserts out-of-order pairs in place, then ignores them past 4096 (no quadratic import)', () => {
    const m = new ClockMap();
    const t0 = performance.now();
    let taken = 0;
    for (let i = 40_000; i > 0; i--) if (m.add({ monotonic_ns: BigInt(i) * 1000n, realtime_ns: BigInt(i) * 1000n + 7n })) taken++;
    expect(performance.now() - t0).toBeLessThan(2_000);
    expect(taken).toBe(1 + 4096);
    // the pairs taken stay sorted: a time between two of them uses the lower one
    const m2 = new ClockMap();
    m2.add({ monotonic_ns: 300n, realtime_ns: 1300n });
    m2.add({ monotonic_ns: 100n, realtime_ns: 5100n });
    m2.add({ monotonic_ns: 200n, realtime_ns: 9200n });
    expect([m2.toRealtimeNs(150n), m2.toRealtimeNs(250n), m2.toRealtimeNs(350n)]).toEqual([150n + 5000n, 250n + 9000n, 350n + 1000n]);
  });

  it("keeps every time within 2^62 ns of 1970 (SQLite INTEGER, Date, sums of times)", () => {
    const m = new ClockMap();
    expect(m.toRealtimeNs(2n ** 64n - 1n)).toBe(2n ** 62n);
    m.add({ monotonic_ns: 0n, realtime_ns: -(2n ** 70n) });
    expect(m.toRealtimeNs(5n)).toBe(-(2n ** 62n));
  });
});

describe('Symbolizer.fromKallsyms under bombs', () => {
  it('250 MiB of empty lines: no symbols, no abort, seconds not minutes', () => {
    const t0 = performance.now();
    const s = Symbolizer.fromKallsyms('\n'.repeat(250 << 20));
    expect(s.size).toBe(0);
    expect(performance.now() - t0).toBeLessThan(10_000);
  });

  it('names longer than KSYM_NAME_LEN are skipped and counted; normal lines still parse', () => {
    const s = Symbolizer.fromKallsyms(`ffffffff81000000 T ${'a'.repeat(600)}\nffffffff81000100 t tcp_v4_rcv\nffffffffc0000000 t nft_do_chain\t[nf_tables]\n`);
    expect(s.skipped).toBe(1);
    expect(s.format(0xffffffff81000191n)).toBe('tcp_v4_rcv+0x91');
    expect(s.format(0xffffffffc0000010n)).toBe('nft_do_chain+0x10 [nf_tables]');
  });
});
