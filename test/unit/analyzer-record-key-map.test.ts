// RecordKeyMap: raw record bytes -> id, compared with a Map keyed by the same
// bytes as a string, across rehashes, a clear(), runs of one key (the
// last-found shortcut), aligned and unaligned buffers, and no key at all.
import { describe, expect, it } from 'vitest';
import { RecordKeyMap, wordView } from '../../packages/analyzer/src/sqlite/tuple-map.js';

const SIZE = 24;
// ranges that start and end inside words; bytes outside them must not count
const RANGES: Array<[number, number]> = [[0, 6], [10, 3], [20, 4]];

function keyOf(rec: Buffer): string {
  return RANGES.map(([off, len]) => rec.subarray(off, off + len).toString('hex')).join('/');
}

/** `n` records, keys from `distinct` values, in runs; every non-key byte random. */
function records(n: number, distinct: number, pad: number): Buffer {
  const buf = Buffer.alloc(pad + n * SIZE);
  let x = 99;
  const rnd = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0);
  let k = 0;
  for (let r = 0; r < n; r++) {
    if (rnd() % 3 === 0) k = rnd() % distinct;
    const o = pad + r * SIZE;
    for (let b = 0; b < SIZE; b++) buf[o + b] = rnd() & 0xff;
    // the key bytes from k alone
    for (const [off, len] of RANGES) for (let b = 0; b < len; b++) buf[o + off + b] = (k * (off + 7) + b * 13) & 0xff;
    buf[o] = k & 0xff;
    buf[o + 1] = k >> 8;
  }
  return buf;
}

function check(buf: Buffer, base0: number, i32: Int32Array | null, n: number, clearAt: number): number {
  const map = new RecordKeyMap(RANGES);
  let ref = new Map<string, number>();
  let next = 0;
  for (let r = 0; r < n; r++) {
    if (r === clearAt) {
      map.clear();
      ref = new Map();
    }
    const base = base0 + r * SIZE;
    const key = keyOf(buf.subarray(base, base + SIZE));
    const got = map.get(buf, i32, base);
    expect(got, `record ${r}`).toBe(ref.get(key) ?? -1);
    if (got < 0) {
      map.set(next);
      ref.set(key, next++);
    }
  }
  expect(map.size).toBe(ref.size);
  return ref.size;
}

describe('RecordKeyMap', () => {
  it('gives each key the id it was set to, like a Map, through rehashes and a clear (word path)', () => {
    const buf = records(30_000, 5000, 0);
    const i32 = wordView(buf, SIZE);
    expect(i32).not.toBeNull();
    // thousands of keys after the clear: several rehashes of a fresh table
    expect(check(buf, 0, i32, 30_000, 9000)).toBeGreaterThan(3000);
  });

  it('does the same from an unaligned buffer (byte path)', () => {
    const buf = records(12_000, 3000, 1);
    expect(check(buf, 1, null, 12_000, 5000)).toBeGreaterThan(1000);
  });

  it('with no key bytes, every record has the one key', () => {
    const map = new RecordKeyMap([]);
    const buf = records(10, 5, 0);
    expect(map.get(buf, wordView(buf, SIZE), 0)).toBe(-1);
    map.set(7);
    for (let r = 0; r < 10; r++) expect(map.get(buf, wordView(buf, SIZE), r * SIZE)).toBe(7);
    expect(() => map.set(8)).toThrow(/without a missed get/);
  });
});
