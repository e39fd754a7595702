// Hash maps for the import's hot loop. A JS Map needs one key value, so a
// tuple key means building a string per lookup (hundreds of ns, and garbage);
// these keep keys in typed arrays and hash integers or raw record bytes.

const EMPTY = 0;
const INITIAL_SLOTS = 1024;

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

/**
 * Raw record bytes -> id: the key is a fixed set of byte ranges of an event
 * record, read as masked little-endian 32-bit words (the bytes of the word
 * outside the ranges masked off). Lets the import recognize a drop's
 * repeated part (flow, task, site...) without decoding any field.
 *
 * Each slot holds its id and key words side by side: at 10M diverse drops
 * the table outgrows the caches this VM gives a process, and a lookup that
 * found the slot in one array and the key in another cost two misses.
 */
export class RecordKeyMap {
  /** byte offset in the record of each key word, and the mask of its key bytes */
  readonly #wordOffs: Int32Array;
  readonly #masks: Int32Array;
  /** Int32s per slot: 1 + id, EMPTY for none; then the key words */
  readonly #stride: number;
  readonly #scratch: Int32Array;
  #table: Int32Array;
  /** slots - 1 (slots: a power of two, kept under half full) */
  #mask: number;
  #size = 0;
  /** offset of the slot the last get() that returned -1 ended on */
  #probe = -1;
  // the slot of the last record found (word path): drops come in runs of
  // one flow, site and task, and comparing costs less than hashing
  #last = -1;

  constructor(ranges: ReadonlyArray<readonly [number, number]>) {
    const masks = new Map<number, number>();
    for (const [off, len] of ranges) {
      for (let b = off; b < off + len; b++) {
        const word = b & ~3;
        masks.set(word, (masks.get(word) ?? 0) | (0xff << ((b & 3) * 8)));
      }
    }
    const words = [...masks.keys()].sort((x, y) => x - y);
    this.#wordOffs = Int32Array.from(words);
    this.#masks = Int32Array.from(words.map((wd) => masks.get(wd)!));
    this.#scratch = new Int32Array(words.length);
    this.#stride = 1 + words.length;
    this.#table = new Int32Array(INITIAL_SLOTS * this.#stride);
    this.#mask = INITIAL_SLOTS - 1;
  }

  get size(): number {
    return this.#size;
  }

  /**
   * Id of the record at byte `base` of `buf`, or -1; a following set() stores
   * it under the same key. `i32` is buf viewed as 32-bit words when buf and
   * base are 4-byte aligned (one load per key word), else null.
   */
  get(buf: Uint8Array, i32: Int32Array | null, base: number): number {
    const w = this.#scratch;
    const offs = this.#wordOffs;
    const masks = this.#masks;
    const words = offs.length;
    const t = this.#table;
    let h = 0x2545f491;
    if (i32 !== null) {
      const wb = base >> 2;
      const last = this.#last;
      if (last >= 0) {
        let j = 0;
        while (j < words && (i32[wb + (offs[j]! >> 2)]! & masks[j]!) === t[last + 1 + j]) j++;
        if (j === words) return t[last]! - 1;
      }
      for (let j = 0; j < words; j++) {
        const x = i32[wb + (offs[j]! >> 2)]! & masks[j]!;
        w[j] = x;
        h = mix(h, x);
      }
    } else {
      for (let j = 0; j < words; j++) {
        const p = base + offs[j]!;
        const m = masks[j]!;
        let x = 0;
        // only the key's own bytes: the word may run past the record's end
        for (let b = 0; b < 4; b++) if ((m >>> (b * 8)) & 0xff) x |= buf[p + b]! << (b * 8);
        w[j] = x;
        h = mix(h, x);
      }
    }
    const stride = this.#stride;
    const mask = this.#mask;
    for (let i = finish(h) & mask; ; i = (i + 1) & mask) {
      const o = i * stride;
      const id = t[o]!;
      if (id === EMPTY) {
        this.#probe = o;
        return -1;
      }
      let j = 0;
      while (j < words && t[o + 1 + j] === w[j]) j++;
      if (j === words) {
        if (i32 !== null) this.#last = o;
        return id - 1;
      }
    }
  }

  /** Stores `value` (non-negative) under the key of the last get() that returned -1. */
  set(value: number): void {
    const o = this.#probe;
    if (o < 0) throw new Error('RecordKeyMap.set() without a missed get()');
    this.#table[o] = value + 1;
    this.#table.set(this.#scratch, o + 1);
    this.#probe = -1;
    if (++this.#size * 2 > this.#mask + 1) this.#rehash();
  }

  /** Forgets every key (ids already handed out stay valid in the database). */
  clear(): void {
    this.#table = new Int32Array(INITIAL_SLOTS * this.#stride);
    this.#mask = INITIAL_SLOTS - 1;
    this.#size = 0;
    this.#probe = -1;
    this.#last = -1;
  }

  #rehash(): void {
    const old = this.#table;
    const stride = this.#stride;
    const words = stride - 1;
    const slots = (this.#mask + 1) * 2;
    const t = new Int32Array(slots * stride);
    const mask = slots - 1;
    for (let from = 0; from < old.length; from += stride) {
      if (old[from] === EMPTY) continue;
      let h = 0x2545f491;
      for (let j = 0; j < words; j++) h = mix(h, old[from + 1 + j]!);
      let i = finish(h) & mask;
      while (t[i * stride] !== EMPTY) i = (i + 1) & mask;
      t.set(old.subarray(from, from + stride), i * stride);
    }
    this.#table = t;
    this.#mask = mask;
    // slot offsets moved
    this.#last = -1;
  }
}

/** `buf` as 32-bit words when it and records of `recordSize` bytes are 4-byte aligned, else null. */
export function wordView(buf: Buffer, recordSize: number): Int32Array | null {
  if (buf.byteOffset % 4 !== 0 || recordSize % 4 !== 0) return null;
  return new Int32Array(buf.buffer, buf.byteOffset, buf.length >> 2);
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
