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

  /** Every pair noted, once each, as [flow, rk]. */
  pairs(): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    for (let i = 0; i < this.#pairs.length; i += 2) out.push([this.#pairs[i]!, this.#pairs[i + 1]!]);
    return out;
  }
}
