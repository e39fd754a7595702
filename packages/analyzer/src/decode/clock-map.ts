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

export class ClockMap {
  #monos: bigint[] = [];
  #offsets: bigint[] = [];
  #last = 0;

  static fromPairs(pairs: ClockPair[]): ClockMap {
    const m = new ClockMap();
    for (const p of pairs) m.add(p);
    return m;
  }

  add(p: ClockPair): void {
    let i = this.#monos.length;
    while (i > 0 && this.#monos[i - 1]! > p.monotonic_ns) i--;
    this.#monos.splice(i, 0, p.monotonic_ns);
    this.#offsets.splice(i, 0, p.realtime_ns - p.monotonic_ns);
    this.#last = 0;
  }

  get pairs(): number {
    return this.#monos.length;
  }

  /** Without any pair, monotonic time is returned unchanged (shown as 1970: visibly wrong, never silently plausible). */
  toRealtimeNs(monoNs: bigint): bigint {
    const m = this.#monos;
    const n = m.length;
    if (n === 0) return monoNs;
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
    return monoNs + this.#offsets[i]!;
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
