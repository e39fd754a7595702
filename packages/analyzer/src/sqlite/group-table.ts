// The (who, what) groups of one capture, and what the import counts per
// group, in one record per group. With millions of groups (10M diverse
// drops make ~2M) a drop's group is a cache miss wherever it lives; keeping
// its key, drops, first and last time and reason key in one 64-byte record
// makes that one miss per drop instead of one per array (key, value, count,
// first, last, reason key: ~7 with separate arrays).

const STRIDE = 8; // doubles: one cache line
const WHO = 0;
const WHAT = 1;
const DROPS = 2;
const FIRST = 3;
const LAST = 4;
const RK = 5;

const EMPTY = 0;

function hashPair(a: number, b: number): number {
  let h = Math.imul(0x2545f491 ^ a, 0x9e3779b1);
  h = Math.imul(((h << 13) | (h >>> 19)) ^ b, 0x9e3779b1);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  return (h ^ (h >>> 13)) >>> 0;
}

export class GroupTable {
  #records = new Float64Array(1024 * STRIDE);
  /** open addressing: 1 + group index, EMPTY for none; kept under half full */
  #slots = new Int32Array(2048);
  #keys = 0;
  #size = 0;
  #probe = -1;
  // drops come in runs of one group: the last one found
  #lastWho = -1;
  #lastWhat = -1;
  #lastGroup = -1;

  /** Groups so far (indexes 0 .. size-1). */
  get size(): number {
    return this.#size;
  }

  /** The group of (who, what), or -1; a following add() creates it. */
  get(who: number, what: number): number {
    if (who === this.#lastWho && what === this.#lastWhat) return this.#lastGroup;
    const slots = this.#slots;
    const mask = slots.length - 1;
    const r = this.#records;
    for (let i = hashPair(who, what) & mask; ; i = (i + 1) & mask) {
      const e = slots[i]!;
      if (e === EMPTY) {
        this.#probe = i;
        return -1;
      }
      const o = (e - 1) * STRIDE;
      if (r[o + WHO] === who && r[o + WHAT] === what) {
        this.#lastWho = who;
        this.#lastWhat = what;
        return (this.#lastGroup = e - 1);
      }
    }
  }

  /** Creates the group of the last get() that returned -1, with reason key `rk`; returns its index. */
  add(who: number, what: number, rk: number): number {
    if (this.#probe < 0) throw new Error('GroupTable.add() without a missed get()');
    const g = this.#size++;
    if (this.#size * STRIDE > this.#records.length) {
      const bigger = new Float64Array(this.#records.length * 2);
      bigger.set(this.#records);
      this.#records = bigger;
    }
    const o = g * STRIDE;
    const r = this.#records;
    r[o + WHO] = who;
    r[o + WHAT] = what;
    r[o + DROPS] = 0;
    r[o + FIRST] = Infinity;
    r[o + LAST] = -Infinity;
    r[o + RK] = rk;
    this.#slots[this.#probe] = g + 1;
    this.#probe = -1;
    if (++this.#keys * 2 > this.#slots.length) this.#rehash();
    return g;
  }

  /** Counts a drop of group `g`, at time `t` when it is a number (ns after the time base). */
  count(g: number, t: number | bigint): void {
    const o = g * STRIDE;
    const r = this.#records;
    r[o + DROPS]!++;
    if (typeof t !== 'number') return;
    if (t < r[o + FIRST]!) r[o + FIRST] = t;
    if (t > r[o + LAST]!) r[o + LAST] = t;
  }

  who(g: number): number {
    return this.#records[g * STRIDE + WHO]!;
  }

  what(g: number): number {
    return this.#records[g * STRIDE + WHAT]!;
  }

  drops(g: number): number {
    return this.#records[g * STRIDE + DROPS]!;
  }

  /** Earliest time counted (Infinity if none). */
  first(g: number): number {
    return this.#records[g * STRIDE + FIRST]!;
  }

  /** Latest time counted (-Infinity if none). */
  last(g: number): number {
    return this.#records[g * STRIDE + LAST]!;
  }

  rk(g: number): number {
    return this.#records[g * STRIDE + RK]!;
  }

  /** Forgets every key: later drops get new groups; the groups so far stay, with their counts. */
  forgetKeys(): void {
    this.#slots = new Int32Array(2048);
    this.#keys = 0;
    this.#probe = -1;
    this.#lastGroup = -1;
    this.#lastWho = -1;
    this.#lastWhat = -1;
  }

  #rehash(): void {
    const slots = new Int32Array(this.#slots.length * 2);
    const mask = slots.length - 1;
    const r = this.#records;
    // the keyed groups are the last #keys records (forgetKeys() keeps earlier
    // ones unkeyed): read in order, not in slot order, a cache miss each
    for (let g = this.#size - this.#keys; g < this.#size; g++) {
      const o = g * STRIDE;
      let i = hashPair(r[o + WHO]!, r[o + WHAT]!) & mask;
      while (slots[i] !== EMPTY) i = (i + 1) & mask;
      slots[i] = g + 1;
    }
    this.#slots = slots;
  }
}
