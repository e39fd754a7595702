// The distinct (flow, reason key) pairs of one capture's drops, for
// _flow_reason. The import offers a pair for every new group, millions of
// times at 10M diverse drops, but there are few distinct pairs: one bit per
// reason key per flow answers almost every offer without hashing.
import { TupleMap } from './tuple-map.js';

/** Reason keys below this get a bit; the rest (a damaged capture's) a hash map. */
const BITS = 32;

export class FlowReasonSet {
  /** bit rk of #bits[flow]: (flow, rk) seen, for rk < BITS */
  #bits = new Int32Array(1024);
  readonly #wide = new TupleMap(2);
  /** flow, rk of each pair, in the order first seen */
  readonly #pairs: number[] = [];

  /** Notes (flow, rk); flow and rk are non-negative integers. */
  add(flow: number, rk: number): void {
    if (rk < BITS) {
      if (flow >= this.#bits.length) {
        const bigger = new Int32Array(Math.max(flow + 1, this.#bits.length * 2));
        bigger.set(this.#bits);
        this.#bits = bigger;
      }
      const bit = 1 << rk;
      if (this.#bits[flow]! & bit) return;
      this.#bits[flow]! |= bit;
    } else {
      if (this.#wide.get(flow, rk) >= 0) return;
      this.#wide.set(1, flow, rk);
    }
    this.#pairs.push(flow, rk);
  }

  /** Every pair noted, once each, as [flow, rk], in first-seen order. */
  pairs(): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    for (let i = 0; i < this.#pairs.length; i += 2) out.push([this.#pairs[i]!, this.#pairs[i + 1]!]);
    return out;
  }

  /**
   * Every pair noted, once each, ordered by flow and then by `rank[rk]`
   * (distinct ranks from 0 for every rk noted), as [flow, rk, flow, rk...].
   * Sorted as one number a pair (flow * ranks + rank) in a typed array: at
   * 10M diverse drops (~300k pairs) sorting tuples with a comparator was a
   * good part of the import's single-threaded end.
   */
  sortedPairs(rank: ArrayLike<number>): number[] {
    const p = this.#pairs;
    const ranks = Math.max(1, rank.length);
    let maxFlow = 0;
    for (let i = 0; i < p.length; i += 2) if (p[i]! > maxFlow) maxFlow = p[i]!;
    if ((maxFlow + 1) * ranks > Number.MAX_SAFE_INTEGER) {
      const pairs = this.pairs().sort((x, y) => x[0] - y[0] || rank[x[1]]! - rank[y[1]]!);
      return pairs.flat();
    }
    const byRank = new Array<number>(ranks);
    for (let rk = 0; rk < rank.length; rk++) byRank[rank[rk]!] = rk;
    const keys = new Float64Array(p.length / 2);
    for (let i = 0; i < p.length; i += 2) keys[i / 2] = p[i]! * ranks + rank[p[i + 1]!]!;
    keys.sort();
    const out = new Array<number>(p.length);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      const flow = Math.floor(k / ranks);
      out[2 * i] = flow;
      out[2 * i + 1] = byRank[k - flow * ranks]!;
    }
    return out;
  }
}
