// GroupTable against a Map: the import's per-group counts and time ranges,
// through growth and rehashes, and after forgetting its keys.
import { describe, expect, it } from 'vitest';
import { GroupTable } from '../../packages/analyzer/src/sqlite/group-table.js';

describe('GroupTable', () => {
  it('finds, counts and times every group like a Map does, across rehashes', () => {
    const table = new GroupTable();
    let wrong = 0;
    const ref = new Map<string, { g: number; drops: number; first: number; last: number; rk: number }>();
    // mulberry32: consecutive draws independent enough to spread pairs
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed + 0x6d2b79f5) >>> 0;
      let x = Math.imul(seed ^ (seed >>> 15), seed | 1);
      x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
      return ((x ^ (x >>> 14)) >>> 0) % n;
    };
    for (let i = 0; i < 200_000; i++) {
      // runs of one pair now and then, as real drops come
      const who = i % 5 === 0 ? 1 : rnd(3000);
      const what = i % 5 === 0 ? 2 : rnd(40);
      const t = rnd(1_000_000);
      const key = `${who},${what}`;
      let g = table.get(who, what);
      if (g < 0) {
        if (ref.has(key)) wrong++;
        g = table.add(who, what, what % 7);
        ref.set(key, { g, drops: 0, first: Infinity, last: -Infinity, rk: what % 7 });
      }
      const r = ref.get(key)!;
      if (g !== r.g) wrong++;
      table.count(g, i % 11 === 0 ? BigInt(t) : t);
      r.drops++;
      if (i % 11 !== 0) {
        r.first = Math.min(r.first, t);
        r.last = Math.max(r.last, t);
      }
    }
    expect(wrong).toBe(0);
    expect(table.size).toBe(ref.size);
    expect(table.size).toBeGreaterThan(50_000);
    const got: string[] = [];
    const want: string[] = [];
    for (const [key, r] of ref) {
      got.push(`${table.who(r.g)},${table.what(r.g)} ${table.drops(r.g)} ${table.first(r.g)} ${table.last(r.g)} ${table.rk(r.g)}`);
      want.push(`${key} ${r.drops} ${r.first} ${r.last} ${r.rk}`);
    }
    expect(got).toEqual(want);
  });

  it('after forgetKeys, a known pair gets a new group and the old one keeps its counts', () => {
    const table = new GroupTable();
    expect(table.get(3, 4)).toBe(-1);
    const g = table.add(3, 4, 1);
    table.count(g, 10);
    expect(table.get(3, 4)).toBe(g);
    table.forgetKeys();
    expect(table.get(3, 4)).toBe(-1);
    const h = table.add(3, 4, 1);
    expect(h).not.toBe(g);
    table.count(h, 20);
    expect([table.drops(g), table.first(g), table.drops(h), table.first(h)]).toEqual([1, 10, 1, 20]);
    expect(() => table.add(5, 6, 0)).toThrow(/without a missed get/);
  });

  it('rehashes only the groups keyed since forgetKeys, and finds each of them', () => {
    const table = new GroupTable();
    for (let i = 0; i < 3000; i++) {
      expect(table.get(i, 0)).toBe(-1);
      table.add(i, 0, 0);
    }
    table.forgetKeys();
    // enough new groups for several rehashes; the forgotten ones stay unkeyed
    const fresh = new Map<number, number>();
    for (let i = 0; i < 5000; i++) {
      expect(table.get(i, 1)).toBe(-1);
      fresh.set(i, table.add(i, 1, 0));
    }
    for (const [who, g] of fresh) expect(table.get(who, 1)).toBe(g);
    expect(table.get(7, 0)).toBe(-1);
    expect(table.size).toBe(8000);
  });
});
