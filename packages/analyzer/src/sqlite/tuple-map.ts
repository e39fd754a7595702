// Hash maps for the import's hot loop. A JS Map needs one key value, so a
// tuple key means building a string per lookup (hundreds of ns, and garbage);
// these keep keys in typed arrays and hash integers. (Keys of raw record
// bytes are in drop-keys.ts.)

const EMPTY = 0;

function mix(h: number, x: number): number {
  h = Math.imul(h ^ x, 0x9e3779b1);
  return (h << 13) | (h >>> 19);
}

function finish(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

/** A copy of `a` in twice the room. */
function grown<T extends Int32Array | Float64Array>(a: T): T {
  const b = new (a.constructor as new (n: number) => T)(a.length * 2);
  b.set(a);
  return b;
}

/** Open addressing table of entry numbers (1-based); the owner stores the keys. */
class Slots {
  table: Int32Array;
  mask: number;
  size = 0;

  constructor(capacity = 1024) {
    this.table = new Int32Array(capacity);
    this.mask = capacity - 1;
  }

  /** Whether one more entry needs a rehash (kept under half full). */
  get full(): boolean {
    return (this.size + 1) * 2 > this.table.length;
  }
}

/** Tuples of 1 to 4 non-negative integers below 2^53 -> a non-negative id. */
export class TupleMap {
  readonly #arity: number;
  #slots = new Slots();
  #keys: Float64Array;
  #values: Float64Array;

  constructor(arity: 1 | 2 | 3 | 4) {
    this.#arity = arity;
    this.#keys = new Float64Array(1024 * arity);
    this.#values = new Float64Array(1024);
  }

  get size(): number {
    return this.#slots.size;
  }

  #hash(a: number, b: number, c: number, d: number): number {
    let h = 0x2545f491;
    h = mix(h, a >>> 0);
    h = mix(h, (a / 4294967296) >>> 0);
    h = mix(h, b >>> 0);
    h = mix(h, (b / 4294967296) >>> 0);
    h = mix(h, c >>> 0);
    h = mix(h, (c / 4294967296) >>> 0);
    h = mix(h, d >>> 0);
    h = mix(h, (d / 4294967296) >>> 0);
    return finish(h);
  }

  #find(a: number, b: number, c: number, d: number): number {
    const s = this.#slots;
    const k = this.#keys;
    const n = this.#arity;
    for (let i = this.#hash(a, b, c, d) & s.mask; ; i = (i + 1) & s.mask) {
      const e = s.table[i]!;
      if (e === EMPTY) return ~i;
      const o = (e - 1) * n;
      if (k[o] === a && (n < 2 || k[o + 1] === b) && (n < 3 || k[o + 2] === c) && (n < 4 || k[o + 3] === d)) return e - 1;
    }
  }

  /** The id, or -1. */
  get(a: number, b = 0, c = 0, d = 0): number {
    const e = this.#find(a, b, c, d);
    return e >= 0 ? this.#values[e]! : -1;
  }

  set(value: number, a: number, b = 0, c = 0, d = 0): void {
    const found = this.#find(a, b, c, d);
    if (found >= 0) {
      this.#values[found] = value;
      return;
    }
    if (this.#slots.full) {
      this.#grow();
      return this.set(value, a, b, c, d);
    }
    const entry = this.#slots.size++;
    const n = this.#arity;
    if ((entry + 1) * n > this.#keys.length) {
      this.#keys = grown(this.#keys);
      this.#values = grown(this.#values);
    }
    const o = entry * n;
    this.#keys[o] = a;
    if (n > 1) this.#keys[o + 1] = b;
    if (n > 2) this.#keys[o + 2] = c;
    if (n > 3) this.#keys[o + 3] = d;
    this.#values[entry] = value;
    this.#slots.table[~found] = entry + 1;
  }

  /** Every key, in insertion order (missing positions are 0). */
  *keys(): Generator<[number, number, number, number]> {
    const k = this.#keys;
    const n = this.#arity;
    for (let e = 0; e < this.#slots.size; e++) {
      const o = e * n;
      yield [k[o]!, n > 1 ? k[o + 1]! : 0, n > 2 ? k[o + 2]! : 0, n > 3 ? k[o + 3]! : 0];
    }
  }

  #grow(): void {
    const old = this.#slots;
    const s = new Slots(old.table.length * 2);
    s.size = old.size;
    const k = this.#keys;
    const n = this.#arity;
    for (let e = 0; e < old.size; e++) {
      const o = e * n;
      let i = this.#hash(k[o]!, n > 1 ? k[o + 1]! : 0, n > 2 ? k[o + 2]! : 0, n > 3 ? k[o + 3]! : 0) & s.mask;
      while (s.table[i] !== EMPTY) i = (i + 1) & s.mask;
      s.table[i] = e + 1;
    }
    this.#slots = s;
  }
}

/** Counts indexed by a 1-based id, growing as ids do. */
export class GrowableCounts {
  #counts = new Float64Array(1024);

  inc(id: number, by = 1): void {
    if (id >= this.#counts.length) {
      const c = new Float64Array(Math.max(id + 1, this.#counts.length * 2));
      c.set(this.#counts);
      this.#counts = c;
    }
    this.#counts[id] = this.#counts[id]! + by;
  }

  get(id: number): number {
    return id < this.#counts.length ? this.#counts[id]! : 0;
  }
}
