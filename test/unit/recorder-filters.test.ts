import { describe, expect, it } from 'vitest';
import { FilterError, parseHost, toTracerFilters } from '@dropcap/recorder';

const ENUMS: Record<string, Array<[string, number]>> = {
  skb_drop_reason: [['SKB_DROP_REASON_NOT_SPECIFIED', 2], ['SKB_DROP_REASON_NO_SOCKET', 3], ['SKB_DROP_REASON_NETFILTER_DROP', 12]],
  mac80211_drop_reason: [['RX_DROP_U_MIC_FAIL', 0x10001]],
};

describe('in-kernel filters', () => {
  it('resolves reason names with the host numbering, with or without prefix, any case', () => {
    const f = toTracerFilters({ reasons: ['no_socket', 'SKB_DROP_REASON_NETFILTER_DROP', 'RX_DROP_U_MIC_FAIL'] }, ENUMS);
    expect(f.reasons).toEqual([3, 12, 0x10001]);
    expect(f.reasonExclude).toBe(false);
  });

  it('turns !NAME into an exclusion, and refuses mixing both', () => {
    expect(toTracerFilters({ reasons: ['!NO_SOCKET'] }, ENUMS)).toMatchObject({ reasons: [3], reasonExclude: true });
    expect(() => toTracerFilters({ reasons: ['NO_SOCKET', '!NETFILTER_DROP'] }, ENUMS)).toThrow(FilterError);
  });

  it('names an unknown reason in its error', () => {
    expect(() => toTracerFilters({ reasons: ['NO_SUCH'] }, ENUMS)).toThrow(/unknown drop reason 'NO_SUCH'/);
  });

  it('validates ports', () => {
    expect(toTracerFilters({ dport: 443 }, ENUMS).dport).toBe(443);
    expect(() => toTracerFilters({ port: 70000 }, ENUMS)).toThrow(/--port 70000/);
  });

  it('packs hosts into the 16-byte form the BPF program compares', () => {
    expect(parseHost('10.1.2.3')).toEqual({ bytes: Buffer.from([10, 1, 2, 3, ...Array(12).fill(0)]), family: 4 });
    expect(parseHost('[2001:db8::1]').bytes.toString('hex')).toBe('20010db8000000000000000000000001');
    expect(parseHost('::ffff:1.2.3.4').bytes.toString('hex')).toBe('00000000000000000000ffff01020304');
    expect(parseHost('::1').bytes.toString('hex')).toBe('00000000000000000000000000000001');
    expect(() => parseHost('example.com')).toThrow(/not an IP address/);
  });

  it('refuses a host of the other family than -4/-6', () => {
    expect(() => toTracerFilters({ family: 4, host: '::1' }, ENUMS)).toThrow(/IPv6 but -4/);
  });
});
