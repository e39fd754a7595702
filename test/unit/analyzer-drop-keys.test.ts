// DropKeys (wasm/drop-keys.c) against plain Maps: the ids of the three key
// maps, found by raw record bytes, and the groups found by (who, what) with
// their counts and time ranges, through table growth, runs of one key,
// record sizes that are not whole words, a cleared map and forgotten groups.
import { describe, expect, it } from 'vitest';
import { DropKeys, PASS, TASK_KEYS, WHAT_KEYS, WHO_KEYS, keyWords, type KeyMap } from '../../packages/analyzer/src/sqlite/drop-keys.js';
import { draws } from '../support/prng.js';

type Ranges = Array<[number, number]>;

const keyOf = (rec: Buffer, ranges: Ranges) => ranges.map(([off, len]) => rec.subarray(off, off + len).toString('hex')).join('/');

/**
 * `n` records of `size` bytes, every byte random but the key bytes of each
 * map, drawn from about `distinct` values per map and in runs now and then.
 */
function records(n: number, size: number, maps: Ranges[], distinct: number[], seed: number): Buffer {
  const rnd = draws(seed);
  const buf = Buffer.alloc(n * size);
  const current = maps.map(() => 0);
  for (let r = 0; r < n; r++) {
    const o = r * size;
    for (let b = 0; b < size; b++) buf[o + b] = rnd(256);
    maps.forEach((ranges, m) => {
      if (rnd(3) === 0) current[m] = rnd(distinct[m]!);
      // each range its own digit of k: keys that differ in one range only
      const base = Math.ceil(distinct[m]! ** (1 / Math.max(1, ranges.length)));
      let k = current[m]!;
      for (const [off, len] of ranges) {
        const digit = k % base;
        k = Math.floor(k / base);
        for (let b = 0; b < len; b++) buf[o + off + b] = (digit * (off + 7) + b * 13) & 0xff;
      }
    });
  }
  return buf;
}

const whoColumns = (who: number) => [who * 3, null, who + 1, 80, 2, 7, 0x12, 1, who % 5].map((v) => v ?? NaN);
const whatColumns = (what: number) => [what * 11, 2, 0x10, null].map((v) => v ?? NaN);

interface Reference {
  ids: Array<Map<string, number>>;
  groups: Map<string, { pair: string; g: number; drops: number; first: number; last: number }>;
}

/**
 * Classifies and counts every record of `buf` pass by pass, as the import
 * does, giving new keys ids from 1000 up per map; checks each id and group
 * against the reference as it goes. `clearWhatAt`: a record index where
 * the what keys are cleared and the groups forgotten (a late STACKS block).
 */
function run(keys: DropKeys, buf: Buffer, size: number, maps: Ranges[], ref: Reference, opts: { clearWhatAt?: number; withTask?: boolean; bigintEvery?: number } = {}): number {
  const withTask = opts.withTask ?? true;
  const n = buf.length / size;
  keys.stage(buf);
  let wrong = 0;
  const t = (i: number) => (opts.bigintEvery && i % opts.bigintEvery === 0 ? NaN : (i * 7919) % 1_000_003);
  for (let from = 0; from < n; from += PASS) {
    const count = Math.min(PASS, n - from);
    if (opts.clearWhatAt !== undefined && opts.clearWhatAt >= from && opts.clearWhatAt < from + count) {
      keys.clearKeys(WHAT_KEYS);
      keys.forgetGroups();
      ref.ids[WHAT_KEYS] = new Map();
      ref.groups = new Map([...ref.groups].map(([k, v]) => [`forgotten ${k} ${v.g}`, v]));
    }
    keys.beginPass(from, count);
    for (let p = 0; ; ) {
      p = keys.classify(p, count, withTask);
      if (p === count) break;
      const map = keys.missed();
      const rec = buf.subarray((from + p) * size, (from + p + 1) * size);
      const key = keyOf(rec, maps[map]!);
      // a map stops only at a key it has not seen
      if (ref.ids[map]!.has(key)) wrong++;
      const id = 1000 + keys.keyCount(map);
      ref.ids[map]!.set(key, id);
      keys.setKey(map, id);
      // the columns a _group row copies: made up from the id, one NULL each
      if (map === WHO_KEYS) keys.setWhoColumns(id, [0, ...whoColumns(id), 0], 1);
      if (map === WHAT_KEYS) keys.setWhatColumns(id, whatColumns(id), 0);
    }
    const times = keys.t;
    for (let p = 0; p < count; p++) times[p] = t(from + p);
    keys.setGroupRowBase(100, 200, 300, 7, 5e12);
    const before = keys.groupCount;
    keys.countGroups(count);
    const rows = keys.newGroupRows(keys.groupCount - before);
    const { words } = keys.groupRecords();
    for (let g = before; g < keys.groupCount; g++) {
      const row = [...rows.subarray((g - before) * 18, (g - before + 1) * 18)];
      const [who, what] = [words[g * 8]!, words[g * 8 + 1]!];
      const want = [100 + g, 200 + who, 300 + what, 7, 5e12, ...whoColumns(who), ...whatColumns(what)];
      if (JSON.stringify(row) !== JSON.stringify(want)) wrong++;
    }
    for (let p = 0; p < count; p++) {
      const rec = buf.subarray((from + p) * size, (from + p + 1) * size);
      const ids = [WHO_KEYS, WHAT_KEYS, TASK_KEYS].map((m) => ref.ids[m]!.get(keyOf(rec, maps[m]!)));
      if (keys.who[p] !== ids[0] || keys.what[p] !== ids[1] || (withTask && keys.task[p] !== ids[2])) wrong++;
      const gk = `${ids[0]},${ids[1]}`;
      let g = ref.groups.get(gk);
      if (!g) ref.groups.set(gk, (g = { pair: gk, g: ref.groups.size, drops: 0, first: Infinity, last: -Infinity }));
      if (keys.group[p] !== g.g) wrong++;
      g.drops++;
      const tp = t(from + p);
      if (tp === tp) {
        g.first = Math.min(g.first, tp);
        g.last = Math.max(g.last, tp);
      }
    }
  }
  return wrong;
}

function groupsOf(keys: DropKeys): string[] {
  const out: string[] = [];
  const { words, values } = keys.groupRecords();
  for (let g = 0; g < keys.groupCount; g++) {
    out.push(`${g}: ${words[g * 8]},${words[g * 8 + 1]} ${values[g * 4 + 1]} ${values[g * 4 + 2]} ${values[g * 4 + 3]}`);
  }
  return out;
}

function referenceGroups(ref: Reference): string[] {
  return [...ref.groups.values()]
    .sort((a, b) => a.g - b.g)
    .map((v) => `${v.g}: ${v.pair} ${v.drops} ${v.first} ${v.last}`);
}

/** A DropKeys keyed by `maps`, `n` records for it (see records()), and an empty reference. */
function fixture(size: number, maps: Ranges[], n: number, distinct: number[], seed: number): { keys: DropKeys; buf: Buffer; ref: Reference } {
  const keys = new DropKeys();
  keys.setLayout(size, maps[0]!, maps[1]!, maps[2]!);
  return { keys, buf: records(n, size, maps, distinct, seed), ref: { ids: [new Map(), new Map(), new Map()], groups: new Map() } };
}

// who: ranges that start and end inside words (bytes beside them must not count)
const SIZE = 40;
const MAPS: Ranges[] = [
  [[0, 6], [10, 3], [20, 4]],
  [[6, 2], [24, 5]],
  [[32, 7]],
];

describe('DropKeys', () => {
  it('gives every record the ids of its keys and its group, like Maps do, through table growth', () => {
    const { keys, buf, ref } = fixture(SIZE, MAPS, 60_000, [20_000, 300, 20], 1);
    expect(run(keys, buf, SIZE, MAPS, ref, { bigintEvery: 13 })).toBe(0);
    // thousands of keys and groups: the tables grew several times
    expect(ref.ids[WHO_KEYS]!.size).toBeGreaterThan(5000);
    expect(ref.groups.size).toBeGreaterThan(10_000);
    expect([0, 1, 2].map((m) => keys.keyCount(m as KeyMap))).toEqual(ref.ids.map((m) => m.size));
    expect(groupsOf(keys)).toEqual(referenceGroups(ref));
  });

  it('reads records of a size that is no multiple of 4, keys up to their last byte', () => {
    const size = 23;
    const maps: Ranges[] = [[[1, 5], [20, 3]], [[9, 2]], [[13, 4]]];
    const { keys, buf, ref } = fixture(size, maps, 9000, [2000, 50, 7], 2);
    expect(run(keys, buf, size, maps, ref)).toBe(0);
    expect(ref.ids[WHO_KEYS]!.size).toBeGreaterThan(1000);
  });

  it('after the what keys are cleared and the groups forgotten, known keys get new ids and groups; old groups keep their counts', () => {
    const { keys, buf, ref } = fixture(SIZE, MAPS, 20_000, [3000, 40, 5], 3);
    expect(run(keys, buf, SIZE, MAPS, ref, { clearWhatAt: 7000 })).toBe(0);
    expect(keys.keyCount(WHAT_KEYS)).toBe(ref.ids[WHAT_KEYS]!.size);
    const forgotten = [...ref.groups.keys()].filter((k) => k.startsWith('forgotten')).length;
    expect(forgotten).toBeGreaterThan(1000);
    expect(keys.groupCount).toBe(ref.groups.size);
    expect(groupsOf(keys)).toEqual(referenceGroups(ref));
  });

  it('hashes keys with multipliers of its own: a capture cannot be crafted to collide in every import', () => {
    const [a, b] = [new DropKeys(), new DropKeys()];
    const key = [0x0100007f, 0x0100007f, 0x50001f90, 6];
    expect(a.keyHash(key)).toBe(a.keyHash([...key]));
    expect(a.keyHash(key)).not.toBe(b.keyHash(key));
    expect(a.keyHash(key)).not.toBe(a.keyHash([...key.slice(0, 3), 7]));
  });

  it('without task lookups, leaves the task map alone', () => {
    const { keys, buf, ref } = fixture(SIZE, MAPS, 3000, [100, 10, 5], 4);
    expect(run(keys, buf, SIZE, MAPS, ref, { withTask: false })).toBe(0);
    expect(keys.keyCount(TASK_KEYS)).toBe(0);
    expect(keys.keyCount(WHO_KEYS)).toBe(100);
  });

  it('with no key bytes in a record, every record has the one key', () => {
    const keys = new DropKeys();
    keys.setLayout(8, [], [[0, 8]], [[20, 4]]);
    const buf = records(1000, 8, [[], [[0, 8]], []], [1, 30, 1], 5);
    expect(() => keys.countGroups(1)).toThrow(/given no _group columns/);
    keys.stage(buf);
    keys.beginPass(0, 10);
    let p = keys.classify(0, 10, true);
    expect([p, keys.missed()]).toEqual([0, WHO_KEYS]);
    keys.setKey(WHO_KEYS, 9);
    for (;;) {
      p = keys.classify(p, 10, true);
      if (p === 10) break;
      keys.setKey(keys.missed(), keys.keyCount(keys.missed()));
    }
    expect([...keys.who.subarray(0, 10)]).toEqual(Array(10).fill(9));
    // the task range lies past the 8-byte record: no key bytes, one task
    expect(keys.keyCount(TASK_KEYS)).toBe(1);
  });
});

describe('keyWords', () => {
  it('masks each word down to the ranges, and drops bytes past the record', () => {
    expect(keyWords([[1, 2], [6, 4]], 9)).toEqual({ offs: [0, 4, 8], masks: [0x00ffff00, 0xffff0000 | 0, 0x000000ff] });
    expect(keyWords([[12, 4]], 10)).toEqual({ offs: [0], masks: [0] });
  });
});
