import { describe, expect, it } from 'vitest';
import { planAttach } from '@dropcap/recorder';

const CURRENT = ['skbaddr', 'location', 'rx_sk', 'protocol', 'reason', '__data'];

describe('attach plan', () => {
  it('prefers tp_btf, then raw_tp, then the classic tracepoint on current kernels', () => {
    const plan = planAttach({ btf: true, tracepointArgs: CURRENT, hasTcpDrop: false });
    expect(plan.methods).toEqual(['tp_btf', 'raw_tp', 'tracepoint']);
    expect(plan).toMatchObject({ hasReason: true, hasRxSk: true, notes: [] });
  });

  it('records the missing rx_sk argument (kernels 5.17 to 6.x before rx_sk)', () => {
    const plan = planAttach({ btf: true, tracepointArgs: ['skbaddr', 'location', 'protocol', 'reason'], hasTcpDrop: false });
    expect(plan.hasRxSk).toBe(false);
    expect(plan.hasReason).toBe(true);
    expect(plan.notes.join()).toMatch(/rx_sk/);
  });

  it('puts the tcp_drop kprobe first on kernels without drop reasons (4.7 to 5.16)', () => {
    const plan = planAttach({ btf: true, tracepointArgs: ['skbaddr', 'location', 'protocol'], hasTcpDrop: true });
    expect(plan.methods).toEqual(['kprobe', 'tp_btf', 'raw_tp', 'tracepoint']);
    expect(plan.hasReason).toBe(false);
    expect(plan.notes.join()).toMatch(/no reason argument/);
  });

  it('has nothing to attach without BTF, and says why', () => {
    const plan = planAttach({ btf: false, tracepointArgs: CURRENT, hasTcpDrop: false });
    expect(plan.methods).toEqual([]);
    expect(plan.notes.join()).toMatch(/BTF/);
  });
});
