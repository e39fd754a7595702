// Codec 3, deflate-planes: constant planes as one byte, the others deflated.
// Round trips over every shape of block; every malformed body refused with
// a typed error; no body expanding further than deflate itself can.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BLOCK_HEADER_SIZE,
  BlockType,
  CaptureFormatError,
  CaptureReader,
  CaptureWriter,
  Codec,
  EVENT_LAYOUT_V1,
  FLAG_SHUFFLED,
  constantPlanes,
  decodeBody,
  decodePlanes,
  decodePlanesToRecords,
  encodePlanes,
  fileHeader,
  packValue,
  shuffle,
  unshuffle,
} from '@dropcap/format';

const SIZE = EVENT_LAYOUT_V1.size;

const tmpDirs: string[] = [];
function tmpFile(name: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'dropcap-planes-'));
  tmpDirs.push(d);
  return path.join(d, name);
}
afterEach(() => {
  for (const d of tmpDirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A block as the writer frames it (header with a good CRC, then `body`), whatever its flags claim. */
function rawBlock(type: number, flags: number, body: Buffer, rawLength = body.length): Buffer {
  const h = Buffer.alloc(BLOCK_HEADER_SIZE);
  h.writeUInt32LE(type, 0);
  h.writeUInt32LE(flags, 4);
  h.writeUInt32LE(body.length, 8);
  h.writeUInt32LE(rawLength, 12);
  h.writeUInt32LE(zlib.crc32(body, zlib.crc32(h.subarray(0, 16))), 16);
  return Buffer.concat([h, body]);
}

/** Records alike but in their first `varying` bytes, which change with the record. */
function storm(n: number, size = SIZE, varying = 6): Buffer {
  const b = Buffer.alloc(n * size);
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < size; i++) b[r * size + i] = i < varying ? (r * 31 + i * 7) & 0xff : (i * 13) & 0xff;
  }
  return b;
}

const naiveMask = (shuffled: Buffer, size: number): number[] => {
  const n = shuffled.length / size;
  return Array.from({ length: size }, (_, p) => (n > 0 && shuffled.subarray(p * n, (p + 1) * n).every((v) => v === shuffled[p * n]) ? 1 : 0));
};
const maskBits = (mask: Buffer, size: number): number[] => Array.from({ length: size }, (_, p) => (mask[p >> 3]! >> (p & 7)) & 1);

function expectDecodeError(fn: () => unknown, message: RegExp): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(CaptureFormatError);
  expect((err as CaptureFormatError).code).toBe('DECODE');
  expect((err as Error).message).toMatch(message);
}

describe('deflate-planes', () => {
  it('round-trips blocks of every shape, and finds exactly the constant planes', () => {
    const cases: Array<[string, Buffer, number]> = [
      ['storm', storm(1000), SIZE],
      ['one record (every plane constant)', storm(1), SIZE],
      ['no records', Buffer.alloc(0), SIZE],
      ['all alike', Buffer.alloc(300 * SIZE, 9), SIZE],
      ['nothing alike', Buffer.from(Array.from({ length: 257 * 8 }, (_, i) => (i * 2654435761) >>> 24)), 8],
      ['odd record size', storm(77, 3, 1), 3],
      ['record size not a multiple of 8', storm(500, 121, 17), 121],
    ];
    for (const [name, raw, size] of cases) {
      const shuffled = shuffle(raw, size);
      const mask = constantPlanes(shuffled, size);
      expect(maskBits(mask, size), name).toEqual(naiveMask(shuffled, size));
      const stored = encodePlanes(shuffled, size, { level: 1, rle: true });
      expect(decodePlanes(stored, shuffled.length, size).equals(shuffled), name).toBe(true);
      // into a reused buffer, larger than needed
      const into = Buffer.alloc(shuffled.length + 64, 0xee);
      expect(decodePlanes(stored, shuffled.length, size, into).equals(shuffled), name).toBe(true);
      // straight to records, by either path (few or many varying planes), over stale bytes
      expect(decodePlanesToRecords(stored, shuffled.length, size, Buffer.alloc(shuffled.length + 64, 0xee)).equals(raw), name).toBe(true);
      expect(decodePlanesToRecords(stored, shuffled.length, size).equals(raw), name).toBe(true);
    }
    // a storm's block: all but its varying planes are stored as one byte each
    const bits = maskBits(constantPlanes(shuffle(storm(1000), SIZE), SIZE), SIZE);
    expect(bits.filter((b) => b === 0)).toHaveLength(6);
  });

  it('refuses every malformed body with a DECODE error', () => {
    const shuffled = shuffle(storm(100), SIZE);
    const good = encodePlanes(shuffled, SIZE);
    const head = Math.ceil(SIZE / 8);
    expectDecodeError(() => decodePlanes(good, shuffled.length + 1, SIZE), /not a whole number of 120-byte records/);
    expectDecodeError(() => decodePlanes(good.subarray(0, head - 1), shuffled.length, SIZE), /shorter than its 15-byte plane bitmap/);
    expectDecodeError(() => decodePlanes(good.subarray(0, head + 3), shuffled.length, SIZE), /cut inside the values of its 114 constant planes/);
    // a bit past the last plane: 120 planes use bits 0-119 of 15 bytes, all of them; with 121-byte records bits 121-127 are spare
    const odd = shuffle(storm(10, 121), 121);
    const oddStored = encodePlanes(odd, 121);
    const spare = Buffer.from(oddStored);
    spare[15]! |= 0x80;
    expectDecodeError(() => decodePlanes(spare, odd.length, 121), /bitmap marks plane 127 of 121-byte records/);
    // one plane fewer marked constant: the values shift, and the planes inflate to less than the bitmap asks
    const fewer = Buffer.from(good);
    const firstConstant = [...Array(SIZE).keys()].find((p) => (good[p >> 3]! >> (p & 7)) & 1)!;
    fewer[firstConstant >> 3]! &= ~(1 << (firstConstant & 7));
    expectDecodeError(() => decodePlanes(fewer, shuffled.length, SIZE), /planes/);
    // not deflate at all
    expectDecodeError(() => decodePlanes(Buffer.concat([good.subarray(0, head + 114), Buffer.from([0xff, 0xff, 0xff])]), shuffled.length, SIZE), /do not inflate/);
  });

  it('stops a bomb at the size its bitmap implies, and expands no more than deflate can', () => {
    // no constant plane, 100 records of 120 bytes declared; the planes inflate to 64 MiB of zeros
    const bomb = Buffer.concat([Buffer.alloc(15), zlib.deflateRawSync(Buffer.alloc(64 << 20), { level: 9 })]);
    expectDecodeError(() => decodePlanes(bomb, 100 * SIZE, SIZE), /do not inflate|inflate to/);
    // every plane constant: 137 bytes would otherwise stand for 256 MiB of records
    const allConstant = Buffer.concat([Buffer.alloc(15, 0xff), Buffer.alloc(SIZE, 7), zlib.deflateRawSync(Buffer.alloc(0))]);
    const declared = Math.floor((256 << 20) / SIZE) * SIZE;
    expectDecodeError(() => decodePlanes(allConstant, declared, SIZE), /cannot decode to the \d+ declared: deflate expands at most 1032:1/);
    expect(decodePlanes(allConstant, 1000 * SIZE, SIZE).equals(Buffer.alloc(1000 * SIZE, 7))).toBe(true);
    // no records, yet a constant plane
    expectDecodeError(() => decodePlanes(allConstant, 0, SIZE), /constant plane in a block without records/);
    // the same bound for plain deflate, checked before zlib allocates anything
    expectDecodeError(() => decodeBody(Codec.Deflate, zlib.deflateRawSync(Buffer.alloc(0)), 10_000), /deflate expands at most 1032:1/);
  });

  it('writes a block of identical records, beyond that ratio, as plain deflate', () => {
    const file = tmpFile('same.dcap');
    const w = CaptureWriter.toPath(file);
    w.writeMsgpack(BlockType.RecordLayout, EVENT_LAYOUT_V1);
    const same = Buffer.alloc(20_000 * SIZE, 3);
    const few = storm(50);
    w.writeEvents(same, SIZE);
    w.writeEvents(few, SIZE);
    // the same with bodies made elsewhere (the recorder's addon): the first
    // expands too far for readers, so the writer makes a Deflate body instead
    w.writeEvents(same, SIZE, { planesBody: encodePlanes(shuffle(same, SIZE), SIZE) });
    w.writeEvents(few, SIZE, { planesBody: encodePlanes(shuffle(few, SIZE), SIZE) });
    w.close();
    const blocks = [...CaptureReader.open(file).blocks()].filter((b) => b.type === BlockType.Events);
    const asWritten = [Codec.Deflate | FLAG_SHUFFLED, Codec.DeflatePlanes | FLAG_SHUFFLED];
    expect(blocks.map((b) => b.flags)).toEqual([...asWritten, ...asWritten]);
    expect(blocks.map((b, i) => b.body.equals(i % 2 === 0 ? same : few))).toEqual([true, true, true, true]);
  });

  it('is written by default for shuffled events and read back by CaptureReader', () => {
    const file = tmpFile('p.dcap');
    const w = CaptureWriter.toPath(file);
    w.writeMsgpack(BlockType.RecordLayout, EVENT_LAYOUT_V1);
    const ev = storm(2000);
    w.writeEvents(ev, SIZE);
    w.close();
    const blocks = [...CaptureReader.open(file).blocks({ reuseBodies: true })].filter((b) => b.type === BlockType.Events);
    expect(blocks.map((b) => b.flags)).toEqual([Codec.DeflatePlanes | FLAG_SHUFFLED]);
    expect(blocks[0]!.body.equals(ev)).toBe(true);
  });

  it('a deflate-planes block without the shuffle flag, or before any layout, is damage the reader reports', () => {
    const shuffled = shuffle(storm(10), SIZE);
    const stored = encodePlanes(shuffled, SIZE);
    const block = (flags: number, type: number = BlockType.Events) => rawBlock(type, flags, stored, shuffled.length);
    const layout = rawBlock(BlockType.RecordLayout, 0, packValue(EVENT_LAYOUT_V1));
    const asKallsyms = block(Codec.DeflatePlanes | FLAG_SHUFFLED, BlockType.Kallsyms);
    const cases: Array<[string, Buffer[], RegExp]> = [
      ['unflagged', [layout, block(Codec.DeflatePlanes)], /without the shuffle flag/],
      ['not events', [layout, asKallsyms], /deflate-planes codec on a block of type 4: it is for EVENTS blocks only/],
      ['no layout', [block(Codec.DeflatePlanes | FLAG_SHUFFLED)], /before any RECORD_LAYOUT/],
    ];
    for (const [name, parts, why] of cases) {
      const file = tmpFile(`${name}.dcap`);
      fs.writeFileSync(file, Buffer.concat([fileHeader(), ...parts]));
      const r = CaptureReader.open(file);
      expect([...r.blocks()].filter((b) => b.type === BlockType.Events || b.type === BlockType.Kallsyms)).toHaveLength(0);
      expect(r.damage?.cause, name).toBe('decode');
      expect(r.damage?.detail, name).toMatch(why);
    }
    // and the well-formed one reads
    const file = tmpFile('ok.dcap');
    fs.writeFileSync(file, Buffer.concat([fileHeader(), layout, block(Codec.DeflatePlanes | FLAG_SHUFFLED)]));
    const ok = [...CaptureReader.open(file).blocks()].filter((b) => b.type === BlockType.Events);
    expect(ok[0]!.body.equals(unshuffle(shuffled, SIZE))).toBe(true);
  });
});
