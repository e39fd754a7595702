import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BlockType,
  CaptureReader,
  CaptureWriter,
  Codec,
  EVENT_LAYOUT_V1,
  FLAG_SHUFFLED,
  decodeStacks,
  encodeStacks,
  packValue,
  EVENTS_DEFLATE,
  encodePlanes,
  shuffle,
  unpackValue,
  unshuffle,
} from '@dropcap/format';

const tmpDirs: string[] = [];
function tmpFile(name = 'c.dcap'): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'dropcap-fmt-'));
  tmpDirs.push(d);
  return path.join(d, name);
}
afterEach(() => {
  for (const d of tmpDirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function records(n: number): Buffer {
  const b = Buffer.alloc(n * EVENT_LAYOUT_V1.size);
  for (let i = 0; i < b.length; i++) b[i] = (i * 7 + (i >> 5)) & 0xff;
  return b;
}

/** Records alike but in their first six bytes, as in a drop storm; `seed` changes all bytes. */
function stormRecords(n: number, seed: number): Buffer {
  const size = EVENT_LAYOUT_V1.size;
  const b = Buffer.alloc(n * size);
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < size; i++) b[r * size + i] = (i < 6 ? r * 31 + i * 7 + seed : i * 13 + seed) & 0xff;
  }
  return b;
}

describe('capture writer and reader round trip', () => {
  it('returns every block as written, for every codec', () => {
    const file = tmpFile();
    const w = CaptureWriter.toPath(file);
    const header = { format: 'dropcap-capture', hostname: 'h1', start_clocks: { monotonic_ns: 123n, realtime_ns: 1_763_000_000_000_000_000n } };
    w.writeMsgpack(BlockType.Header, header);
    w.writeMsgpack(BlockType.RecordLayout, EVENT_LAYOUT_V1);
    const kallsyms = Buffer.from('ffffffff81000000 T _stext\n'.repeat(1000));
    w.writeBlock(BlockType.Kallsyms, kallsyms, { codec: Codec.Deflate });
    w.writeBlock(BlockType.Interfaces, packValue([{ netns: 1, ifindex: 1, name: 'lo' }]), { codec: Codec.Brotli });
    const ev = records(50);
    w.writeEvents(ev, EVENT_LAYOUT_V1.size);
    w.writeEvents(ev, EVENT_LAYOUT_V1.size, { codec: Codec.Brotli, shuffle: false });
    w.writeEvents(ev, EVENT_LAYOUT_V1.size, { codec: Codec.None });
    w.writeEvents(ev, EVENT_LAYOUT_V1.size, { codec: Codec.Deflate });
    w.writeBlock(42, Buffer.from('future block'));
    w.writeMsgpack(BlockType.End, { reason: 'signal', events: 150 });
    const written = w.bytesWritten;
    w.close();

    expect(fs.statSync(file).size).toBe(written);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const r = CaptureReader.open(file);
    expect([r.major, r.minor]).toEqual([1, 1]);
    const blocks = [...r.blocks()];
    expect(blocks.map((b) => b.type)).toEqual([1, 2, 4, 5, 8, 8, 8, 8, 42, 10]);
    expect(unpackValue(blocks[0]!.body)).toEqual(header);
    expect(unpackValue(blocks[1]!.body)).toEqual(EVENT_LAYOUT_V1);
    expect(blocks[2]!.body.equals(kallsyms)).toBe(true);
    expect(unpackValue(blocks[3]!.body)).toEqual([{ netns: 1, ifindex: 1, name: 'lo' }]);
    for (const b of blocks.slice(4, 8)) expect(b.body.equals(ev)).toBe(true);
    // events are shuffled and deflate-planes by default
    expect(blocks.slice(4, 8).map((b) => b.flags)).toEqual([Codec.DeflatePlanes | FLAG_SHUFFLED, Codec.Brotli, Codec.None | FLAG_SHUFFLED, Codec.Deflate | FLAG_SHUFFLED]);
    expect(blocks[8]!.body.toString()).toBe('future block');
    expect(r.unknownBlocks).toBe(1);
    expect(r.damage).toBeNull();
  });

  it('with reuseBodies, each shuffled body is right when read and shares one buffer', () => {
    const file = tmpFile('reuse.dcap');
    const w = CaptureWriter.toPath(file);
    w.writeMsgpack(BlockType.RecordLayout, EVENT_LAYOUT_V1);
    const small = records(30);
    const big = records(80);
    for (const ev of [big, small, big]) w.writeEvents(ev, EVENT_LAYOUT_V1.size);
    w.close();
    const seen: Buffer[] = [];
    for (const b of CaptureReader.open(file).blocks({ reuseBodies: true })) {
      if (b.type !== BlockType.Events) continue;
      expect(b.body.equals(seen.length === 1 ? small : big)).toBe(true);
      seen.push(b.body);
    }
    expect(seen).toHaveLength(3);
    // the later blocks were decoded into the first one's memory
    expect(seen[1]!.buffer).toBe(seen[0]!.buffer);
    expect(seen[2]!.buffer).toBe(seen[0]!.buffer);
  });

  it('writes an event block body made elsewhere (the addon) as it is, byte for byte as if made here', () => {
    const size = EVENT_LAYOUT_V1.size;
    const ev = stormRecords(50, 0);
    const other = stormRecords(50, 9);
    const bodyOf = (r: Buffer) => encodePlanes(shuffle(r, size), size, EVENTS_DEFLATE);
    const write = (file: string, fn: (w: CaptureWriter) => void): Buffer => {
      const w = CaptureWriter.toPath(file);
      w.writeMsgpack(BlockType.RecordLayout, EVENT_LAYOUT_V1);
      fn(w);
      w.close();
      return fs.readFileSync(file);
    };
    const here = write(tmpFile('here.dcap'), (w) => w.writeEvents(ev, size));
    const there = write(tmpFile('there.dcap'), (w) => w.writeEvents(ev, size, { planesBody: bodyOf(ev) }));
    expect(there.equals(here)).toBe(true);
    // another batch's body is written as given: the writer did not encode `ev` itself
    const file = tmpFile('given.dcap');
    write(file, (w) => w.writeEvents(ev, size, { planesBody: bodyOf(other) }));
    const bodies = [...CaptureReader.open(file).blocks()].filter((b) => b.type === BlockType.Events).map((b) => b.body);
    expect(other.equals(ev)).toBe(false);
    expect(bodies.map((b) => b.equals(other))).toEqual([true]);
  });

  it('shuffled deflate events are much smaller than plain ones', () => {
    // realistic: records that differ only in a counter and a timestamp
    const n = 2000;
    const b = Buffer.alloc(n * 120);
    for (let i = 0; i < n; i++) {
      b.writeBigUInt64LE(1_000_000n + BigInt(i) * 1337n, i * 120);
      b.writeUInt32LE(40000 + (i % 300), i * 120 + 68);
    }
    const a = tmpFile('a.dcap');
    const s = tmpFile('s.dcap');
    const wa = CaptureWriter.toPath(a);
    wa.writeEvents(b, 120, { shuffle: false });
    wa.close();
    const ws = CaptureWriter.toPath(s);
    ws.writeEvents(b, 120);
    ws.close();
    expect(fs.statSync(s).size * 2).toBeLessThan(fs.statSync(a).size);
  });

  it('writes to an fd and leaves it open', () => {
    const file = tmpFile();
    const fd = fs.openSync(file, 'w');
    const w = CaptureWriter.toFd(fd);
    w.writeMsgpack(BlockType.Header, { x: 1 });
    w.close();
    fs.writeSync(fd, Buffer.alloc(0));
    fs.closeSync(fd);
    expect([...CaptureReader.open(file).blocks()].length).toBe(1);
  });

  it('round-trips u64 clocks as bigint', () => {
    const v = { monotonic_ns: 0xfffffffffffffff0n, realtime_ns: 1_763_000_000_123_456_789n, boottime_ns: 5n };
    expect(unpackValue(packValue(v))).toEqual(v);
  });
});

describe('shuffle', () => {
  it('transposes as the spec says and inverts', () => {
    const raw = Buffer.from([1, 2, 3, 4, 5, 6]);
    expect([...shuffle(raw, 3)]).toEqual([1, 4, 2, 5, 3, 6]);
    expect([...unshuffle(shuffle(raw, 3), 3)]).toEqual([...raw]);
    expect(() => shuffle(raw, 4)).toThrow(RangeError);
  });

  it('inverts on both paths: whole words (record size a multiple of 4) and bytes', () => {
    // record counts with every remainder mod 4: the word path takes 4 records at a time, then the rest
    for (const size of [4, 8, 120, 3, 121]) {
      for (const records of [1, 3, 1000, 1001, 1002, 1003]) {
        const raw = Buffer.from(Array.from({ length: size * records }, (_, i) => (i * 7919 + (i >> 8)) & 0xff));
        const planes = shuffle(raw, size);
        if (records > 1) expect(planes.equals(raw)).toBe(false);
        expect(unshuffle(planes, size).equals(raw)).toBe(true);
        // input at any byte offset (the word path reads planes unaligned, only its output is word-aligned)
        const odd = Buffer.concat([Buffer.alloc(1), planes]).subarray(1);
        expect(unshuffle(odd, size).equals(raw)).toBe(true);
      }
    }
  });
});

describe('stacks body', () => {
  it('round-trips and rejects a short entry', () => {
    const stacks = [
      { id: 1, frames: [0xffffffff81000010n, 0xffffffffc0001234n], truncated: false },
      { id: 7, frames: [], truncated: true },
    ];
    const body = encodeStacks(stacks);
    expect(body.length).toBe(8 + 16 + 8);
    expect(decodeStacks(body)).toEqual(stacks);
    expect(() => decodeStacks(body.subarray(0, 20))).toThrow(/STACKS block ends inside an entry/);
    // an entry header announcing frames that are not there
    expect(() => decodeStacks(Buffer.from([1, 0, 0, 0, 0xff, 0xff, 0, 0]))).toThrow(/STACKS block ends inside an entry at byte 0/);
  });
});
