import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dropReasonEnums, parseBtf } from '@dropcap/recorder';

/** Builds a tiny BTF blob: one enum and one struct, as the kernel lays them out. */
function tinyBtf(): Buffer {
  const strings = Buffer.from('\0skb_drop_reason\0SKB_DROP_REASON_NOT_SPECIFIED\0SKB_DROP_REASON_NO_SOCKET\0trace_event_raw_kfree_skb\0reason\0rx_sk\0int\0', 'latin1');
  const off = (s: string) => strings.indexOf(Buffer.from(`\0${s}\0`, 'latin1')) + 1;
  const types: Buffer[] = [];
  const type = (nameOff: number, kind: number, vlen: number, sizeOrType: number, extra: number[]) => {
    const b = Buffer.alloc(12 + extra.length * 4);
    b.writeUInt32LE(nameOff, 0);
    b.writeUInt32LE((kind << 24) | vlen, 4);
    b.writeUInt32LE(sizeOrType, 8);
    extra.forEach((v, i) => b.writeUInt32LE(v >>> 0, 12 + i * 4));
    types.push(b);
  };
  type(off('int'), 1, 0, 4, [32]); // [1] int
  type(off('skb_drop_reason'), 6, 2, 4, [off('SKB_DROP_REASON_NOT_SPECIFIED'), 2, off('SKB_DROP_REASON_NO_SOCKET'), 3]);
  type(off('trace_event_raw_kfree_skb'), 4, 2, 16, [off('reason'), 1, 0, off('rx_sk'), 1, 64]);
  const typeSec = Buffer.concat(types);
  const hdr = Buffer.alloc(24);
  hdr.writeUInt16LE(0xeb9f, 0);
  hdr.writeUInt8(1, 2);
  hdr.writeUInt32LE(24, 4);
  hdr.writeUInt32LE(0, 8);
  hdr.writeUInt32LE(typeSec.length, 12);
  hdr.writeUInt32LE(typeSec.length, 16);
  hdr.writeUInt32LE(strings.length, 20);
  return Buffer.concat([hdr, typeSec, strings]);
}

describe('BTF reader', () => {
  it('reads enums and struct members from a BTF blob', () => {
    const btf = parseBtf(tinyBtf());
    expect(dropReasonEnums([btf])).toEqual({
      skb_drop_reason: [['SKB_DROP_REASON_NOT_SPECIFIED', 2], ['SKB_DROP_REASON_NO_SOCKET', 3]],
    });
    expect(btf.structs.get('trace_event_raw_kfree_skb')?.members).toEqual(['reason', 'rx_sk']);
  });

  it('rejects a blob that is not BTF, and one whose sections overflow', () => {
    expect(() => parseBtf(Buffer.from('not btf at all, not btf at all'))).toThrow(/bad magic/);
    const bad = tinyBtf();
    bad.writeUInt32LE(1 << 30, 20);
    expect(() => parseBtf(bad)).toThrow(/past the end/);
  });

  it.runIf(existsSync('/sys/kernel/btf/vmlinux'))("reads this kernel's drop reasons, numbered as the kernel numbers them", () => {
    const enums = dropReasonEnums([parseBtf(readFileSync('/sys/kernel/btf/vmlinux'))]);
    const core = new Map(enums.skb_drop_reason);
    // the tracefs format of skb:kfree_skb is an independent source of the numbering
    const fmtPath = '/sys/kernel/tracing/events/skb/kfree_skb/format';
    if (existsSync(fmtPath)) {
      const fmt = readFileSync(fmtPath, 'utf8');
      for (const m of fmt.matchAll(/\{ (\d+), "(\w+)" \}/g)) {
        expect(core.get(`SKB_DROP_REASON_${m[2]}`)).toBe(Number(m[1]));
      }
    }
    expect(core.get('SKB_DROP_REASON_NO_SOCKET')).toBeGreaterThan(0);
    expect(Object.keys(enums)).toContain('skb_drop_reason_subsys');
  });
});
