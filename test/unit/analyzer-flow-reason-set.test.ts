// FlowReasonSet: each distinct (flow, reason key) once, in first-seen order,
// whether the key takes the bitmask path (< 32) or the hash map (>= 32).
import { describe, expect, it } from 'vitest';
import { FlowReasonSet } from '../../packages/analyzer/src/sqlite/flow-reason-set.js';

describe('FlowReasonSet', () => {
  it('keeps every distinct pair once, in first-seen order, like a Set of strings', () => {
    const set = new FlowReasonSet();
    const seen = new Set<string>();
    const expected: Array<[number, number]> = [];
    let x = 12345;
    for (let i = 0; i < 20_000; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      // flows past the bitmask's first size, reason keys on both sides of 32
      const flow = x % 5000;
      const rk = (x >>> 16) % 40;
      set.add(flow, rk);
      const k = `${flow}/${rk}`;
      if (!seen.has(k)) {
        seen.add(k);
        expected.push([flow, rk]);
      }
    }
    expect(expected.some(([, rk]) => rk >= 32)).toBe(true);
    expect(set.pairs()).toEqual(expected);
    // by flow, then by a rank of the reason keys (here: the reverse of rk)
    const rank = Array.from({ length: 40 }, (_, rk) => 39 - rk);
    const sorted = [...expected].sort((a, b) => a[0] - b[0] || rank[a[1]]! - rank[b[1]]!);
    expect(set.sortedPairs(rank)).toEqual(sorted.flat());
  });

  it('sorts pairs whose flow times ranks no double holds exactly, by comparing them', () => {
    const set = new FlowReasonSet();
    // reason keys past the bitmask: flows this big stay in the hash map
    set.add(2 ** 52, 40);
    set.add(7, 41);
    set.add(2 ** 52, 33);
    const rank = Array.from({ length: 42 }, (_, rk) => rk);
    expect(set.sortedPairs(rank)).toEqual([7, 41, 2 ** 52, 33, 2 ** 52, 40]);
  });

  it('tells reason keys 0 and 31 apart on one flow (the sign bit)', () => {
    const set = new FlowReasonSet();
    set.add(3, 31);
    set.add(3, 0);
    set.add(3, 31);
    expect(set.pairs()).toEqual([[3, 31], [3, 0]]);
  });
});
