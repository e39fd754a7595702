// The analyzer's WebAssembly for deflate-planes bodies against the format
// package's JavaScript reference: the same records, byte for byte, for every
// shape a body can take (record sizes around the 16-byte SIMD width, counts
// around 16 records, any mix of constant and varying planes), and through a
// capture file read both ways.
import { describe, expect, it, onTestFinished } from 'vitest';
import { BlockType, CaptureReader, CaptureWriter, EVENT_LAYOUT_V1, decodePlanesToRecords, encodePlanes, shuffle } from '@dropcap/format';
import { planesToRecords } from '../../packages/analyzer/src/sqlite/plane-records.js';
import { draws } from '../support/prng.js';
import { tmpDir } from '../support/synthetic-capture.js';

/** `n` records of `size` bytes; plane p is constant when bit p of `constant` (mod 32) is set. */
function records(n: number, size: number, constant: number, seed: number): Buffer {
  const draw = draws(seed);
  const byte = () => draw(256);
  const b = Buffer.alloc(n * size);
  const fixed = Array.from({ length: size }, byte);
  for (let r = 0; r < n; r++) {
    for (let p = 0; p < size; p++) b[r * size + p] = (constant >>> (p % 32)) & 1 ? fixed[p]! : byte();
  }
  return b;
}

const body = (recs: Buffer, size: number) => encodePlanes(shuffle(recs, size), size);

describe('records from deflate-planes bodies, in WebAssembly', () => {
  const toRecords = planesToRecords();

  it.each([1, 3, 8, 15, 16, 17, 31, 32, 33, 120, 127])('matches the JavaScript for %i-byte records', (size) => {
    for (const n of [0, 1, 15, 16, 17, 33, 250]) {
      for (const constant of [0, 0xffffffff, 0x0f0f0f0f, 0x80000001, 0x7ffffffe]) {
        const recs = records(n, size, constant, size * 1000 + n);
        const stored = body(recs, size);
        const js = decodePlanesToRecords(stored, recs.length, size);
        const wasm = decodePlanesToRecords(stored, recs.length, size, undefined, toRecords);
        expect(js.equals(recs)).toBe(true);
        expect(wasm.equals(recs), `${n} records, constant planes ${constant.toString(16)}`).toBe(true);
      }
    }
  });

  it('writes exactly the records: the bytes of `into` past them are left alone', () => {
    const recs = records(37, 120, 0x0000ffff, 7);
    const into = Buffer.alloc(recs.length + 64, 0xab);
    const out = decodePlanesToRecords(body(recs, 120), recs.length, 120, into, toRecords);
    expect(out.equals(recs)).toBe(true);
    expect(into.subarray(recs.length).every((b) => b === 0xab)).toBe(true);
  });

  it('handles the largest record a layout may declare, and bodies of growing sizes one after another', () => {
    for (const [n, size] of [[3, 65536], [40000, 120], [5, 24], [70000, 120]] as const) {
      const recs = records(n, size, 0x00ff00ff, n + size);
      expect(decodePlanesToRecords(body(recs, size), recs.length, size, undefined, toRecords).equals(recs)).toBe(true);
    }
  });

  describe('through CaptureReader.blocks', () => {
    it('gives the same EVENTS bodies as the reader without it', () => {
      const tmp = tmpDir('dropcap-plane-records-');
      onTestFinished(tmp.cleanup);
      const file = tmp.file('c.dcap');
      const size = EVENT_LAYOUT_V1.size;
      const w = CaptureWriter.toPath(file);
      w.writeMsgpack(BlockType.RecordLayout, EVENT_LAYOUT_V1);
      const written = [records(1000, size, 0x3fffff0f, 1), records(17, size, 0, 2), records(4096, size, 0xffffffff, 3)];
      for (const recs of written) w.writeEvents(recs, size);
      w.close();
      const events = (opts: Parameters<CaptureReader['blocks']>[0]): Buffer[] => {
        const out: Buffer[] = [];
        // copied as they come: with reuseBodies the next block overwrites a body
        for (const b of CaptureReader.open(file).blocks(opts)) if (b.type === BlockType.Events) out.push(Buffer.from(b.body));
        return out;
      };
      const viaWasm = events({ reuseBodies: true, planesToRecords: toRecords });
      expect(viaWasm).toHaveLength(written.length);
      viaWasm.forEach((b, i) => expect(b.equals(written[i]!)).toBe(true));
      expect(events({})).toEqual(viaWasm);
    });
  });
});
