// Kernel timestamps (CLOCK_MONOTONIC, bpf_ktime_get_ns) to wall-clock time,
// using the capture's own clock pairs. Several CLOCKS blocks let the offset
// follow NTP steps: an event uses the latest pair taken at or before it.

export interface ClockPair {
  monotonic_ns: bigint;
  realtime_ns: bigint;
}

function toBig(v: unknown): bigint | null {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return BigInt(Math.trunc(v));
  return null;
}

/** Accepts a CLOCKS map (values bigint or number); null when it lacks the two clocks. */
export function parseClockPair(v: unknown): ClockPair | null {
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  const mono = toBig(o.monotonic_ns);
  const real = toBig(o.realtime_ns);
  return mono === null || real === null ? null : { monotonic_ns: mono, realtime_ns: real };
}

/** 2^62 ns is 146 years from 1970: any real time is far inside, and sums of two such times still fit in int64. */
const TIME_LIMIT = 1n << 62n;

/**
 * Times are stored as SQLite INTEGER (signed 64-bit), shown through Date and
 * added to and subtracted from each other by the import: a damaged u64
 * timestamp or a hostile clock offset must not take them out of range (that
 * is a RangeError, not a time). Such a time is clamped, visibly wrong.
 */
function clampTime(ns: bigint): bigint {
  return ns > TIME_LIMIT ? TIME_LIMIT : ns < -TIME_LIMIT ? -TIME_LIMIT : ns;
}

/** Out-of-order clock pairs accepted per capture (see add). */
const MAX_OUT_OF_ORDER = 4096;

export class ClockMap {
  #monos: bigint[] = [];
  #offsets: bigint[] = [];
  #last = 0;
  #outOfOrder = 0;

  static fromPairs(pairs: ClockPair[]): ClockMap {
    const m = new ClockMap();
    for (const p of pairs) m.add(p);
    return m;
  }

  /**
   * Adds a pair; false when it was ignored. A recorder writes pairs in time
   * order (appended in O(1)). Out-of-order pairs are inserted in place, which
   * moves the arrays: a hostile file of many descending pairs would make the
   * import quadratic, so only MAX_OUT_OF_ORDER of them are taken.
   */
  add(p: ClockPair): boolean {
    const m = this.#monos;
    const n = m.length;
    if (n === 0 || m[n - 1]! <= p.monotonic_ns) {
      m.push(p.monotonic_ns);
      this.#offsets.push(p.realtime_ns - p.monotonic_ns);
      return true;
    }
    if (this.#outOfOrder >= MAX_OUT_OF_ORDER) return false;
    this.#outOfOrder++;
    // first index whose monotonic time is above the new pair's
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (m[mid]! <= p.monotonic_ns) lo = mid + 1;
      else hi = mid;
    }
    m.splice(lo, 0, p.monotonic_ns);
    this.#offsets.splice(lo, 0, p.realtime_ns - p.monotonic_ns);
    this.#last = 0;
    return true;
  }

  get pairs(): number {
    return this.#monos.length;
  }

  /** Without any pair, monotonic time is returned unchanged (shown as 1970: visibly wrong, never silently plausible). */
  toRealtimeNs(monoNs: bigint): bigint {
    const m = this.#monos;
    const n = m.length;
    if (n === 0) return clampTime(monoNs);
    // events are nearly time-ordered: the segment of the previous call usually fits
    let i = this.#last;
    if (!(m[i]! <= monoNs && (i + 1 >= n || m[i + 1]! > monoNs))) {
      i = 0;
      let lo = 0;
      let hi = n - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        if (m[mid]! <= monoNs) {
          i = mid;
          lo = mid + 1;
        } else {
          hi = mid - 1;
        }
      }
      this.#last = i;
    }
    return clampTime(monoNs + this.#offsets[i]!);
  }

  toIso(monoNs: bigint): string {
    return isoFromRealtimeNs(this.toRealtimeNs(monoNs));
  }
}

let cachedSecond = -1n;
let cachedPrefix = '';

/**
 * `2026-11-22T20:24:39.123456Z` (UTC, microseconds). The SQL `drops.time`
 * column computes the same text from time_ns (see sqlite/schema.ts).
 */
export function isoFromRealtimeNs(ns: bigint): string {
  const sec = ns >= 0n ? ns / 1_000_000_000n : (ns - 999_999_999n) / 1_000_000_000n;
  if (sec !== cachedSecond) {
    cachedSecond = sec;
    cachedPrefix = new Date(Number(sec) * 1000).toISOString().slice(0, 19);
  }
  const micros = Number((ns - sec * 1_000_000_000n) / 1000n);
  return `${cachedPrefix}.${String(micros).padStart(6, '0')}Z`;
}
