// Kernel timestamps to ns after the capture's time base, as plain numbers:
// the conversion of ClockMap.toRealtimeNs (the latest clock pair at or
// before the event, the first pair before all of them) without the three
// bigints per drop it costs (about 1.5 s of 10M drops). It mirrors the
// pairs the capture's ClockMap accepted (the importer adds each one it sees
// the ClockMap take), caches the current segment as numbers, and checks the
// ClockMap's own answer whenever it changes segment. rel() returns NaN
// whenever it cannot be exact; the caller then uses the ClockMap.
import type { ClockMap, ClockPair } from '../decode/clock-map.js';

const TWO32 = 4294967296;
const SAFE = Number.MAX_SAFE_INTEGER;
/** Below this, base + any exact double stays inside the ClockMap's clamp (2^62): its answers need no clamping. */
const BASE_LIMIT = 1n << 61n;

export class RelativeClock {
  readonly #clocks: ClockMap;
  readonly #monos: bigint[] = [];
  readonly #offsets: bigint[] = [];
  #base: bigint | null = null;
  #ref: bigint | null = null;
  #refLo = 0;
  #refHi = 0;
  // the cached segment: d in [#segLo, #segHi) maps to d + #segAdd
  #segLo = 1;
  #segHi = 0;
  #segAdd = 0;
  #broken = false;

  constructor(clocks: ClockMap) {
    this.#clocks = clocks;
  }

  /** A pair the ClockMap just accepted. */
  add(p: ClockPair): void {
    const m = this.#monos;
    let i = m.length;
    while (i > 0 && m[i - 1]! > p.monotonic_ns) i--;
    m.splice(i, 0, p.monotonic_ns);
    this.#offsets.splice(i, 0, p.realtime_ns - p.monotonic_ns);
    this.#segLo = 1;
    this.#segHi = 0;
  }

  /** The ClockMap took pairs this mirror cannot know: give up (rel() is NaN from now on). */
  abandon(): void {
    this.#broken = true;
  }

  setBase(base: bigint): void {
    this.#base = base;
    if (base >= BASE_LIMIT || base <= -BASE_LIMIT) this.#broken = true;
  }

  /** ns after the time base of the u64 timestamp (lo, hi), or NaN. */
  rel(lo: number, hi: number): number {
    const d = (hi - this.#refHi) * TWO32 + (lo - this.#refLo);
    if (d >= this.#segLo && d < this.#segHi) return d + this.#segAdd;
    return this.#slow(lo, hi);
  }

  #slow(lo: number, hi: number): number {
    if (this.#broken || this.#base === null) return NaN;
    const mono = BigInt(hi) * 4294967296n + BigInt(lo);
    if (this.#ref === null) {
      this.#ref = mono;
      this.#refLo = lo;
      this.#refHi = hi;
    }
    const ref = this.#ref;
    const d = (hi - this.#refHi) * TWO32 + (lo - this.#refLo);
    if (!Number.isSafeInteger(d)) return NaN;
    const m = this.#monos;
    const n = m.length;
    let i = 0;
    for (let a = 0, b = n - 1; a <= b; ) {
      const mid = (a + b) >>> 1;
      if (m[mid]! <= mono) {
        i = mid;
        a = mid + 1;
      } else b = mid - 1;
    }
    const offset = n === 0 ? 0n : this.#offsets[i]!;
    const add = offset + ref - this.#base;
    const t = d + Number(add);
    // the ClockMap is the authority: any disagreement and the mirror is off for good
    if (!Number.isSafeInteger(Number(add)) || !Number.isSafeInteger(t) || this.#clocks.toRealtimeNs(mono) - this.#base !== BigInt(t)) {
      this.#broken = true;
      return NaN;
    }
    const addN = Number(add);
    // also keep d and d + add exact doubles for every d the fast path accepts
    this.#segLo = Math.max(n === 0 || i === 0 ? -Infinity : Number(m[i]! - ref), -SAFE, -SAFE - addN);
    this.#segHi = Math.min(i + 1 < n ? Number(m[i + 1]! - ref) : Infinity, SAFE, SAFE - addN);
    this.#segAdd = addN;
    return t;
  }
}
