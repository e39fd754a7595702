// Drops per (reason key, time bucket) of one capture, counted during the
// import so the summary's drops-over-time needs no scan of _drop. Buckets
// start at 1 ms and widen tenfold whenever the capture spans too many: a
// power of ten divides every "round" histogram width the summary asks for
// (1, 2, 5 x 10^k ns, whole seconds, minutes), so its buckets are sums of
// these, exactly. Counts live in one dense array per reason key (a Map
// keyed by doubles cost more than the rest of the per-drop work).

/** Most buckets spanned before widening them. */
const MAX_BUCKETS = 8192;
/** Widest bucket: 1000 s, which divides the capture's time base (packing.ts). */
const MAX_BUCKET_NS = 1e12;
/** More reason keys than this (a damaged capture) and the summary scans instead. */
const MAX_KEYS = 4096;

export class TimeHistogram {
  /** Bucket width in ns; 0 once disabled (the summary then counts from _drop). */
  bucketNs = 1_000_000;
  /** Bucket number of index 0 of the arrays. */
  #lo = 0;
  /** Buckets in use from #lo (0 before the first drop). */
  #span = 0;
  #counts: Float64Array[] = [];

  get enabled(): boolean {
    return this.bucketNs > 0;
  }

  disable(): void {
    this.bucketNs = 0;
    this.#counts = [];
  }

  /** Counts a drop at `t` ns after the time base, for reason key `rk`. */
  add(t: number, rk: number): void {
    const g = this.bucketNs;
    if (g === 0) return;
    const i = Math.floor(t / g) - this.#lo;
    const row = this.#counts[rk];
    if (row !== undefined && i >= 0 && i < this.#span) {
      row[i]!++;
      return;
    }
    this.#slow(t, rk);
  }

  #slow(t: number, rk: number): void {
    if (rk >= MAX_KEYS) return this.disable();
    if (!this.#fit(t)) return;
    let row = this.#counts[rk];
    if (row === undefined) {
      for (let k = this.#counts.length; k <= rk; k++) this.#counts.push(new Float64Array(MAX_BUCKETS));
      row = this.#counts[rk]!;
    }
    row[Math.floor(t / this.bucketNs) - this.#lo]!++;
  }

  /** Makes the bucket of `t` part of the span, widening buckets as needed; false when disabled. */
  #fit(t: number): boolean {
    for (;;) {
      const g = this.bucketNs;
      const b = Math.floor(t / g);
      if (this.#span === 0) {
        this.#lo = b;
        this.#span = 1;
        return true;
      }
      const lo = Math.min(this.#lo, b);
      const hi = Math.max(this.#lo + this.#span, b + 1);
      if (hi - lo <= MAX_BUCKETS) {
        if (lo < this.#lo) {
          const shift = this.#lo - lo;
          for (const row of this.#counts) {
            row.copyWithin(shift, 0, this.#span);
            row.fill(0, 0, shift);
          }
          this.#lo = lo;
        }
        this.#span = hi - lo;
        return true;
      }
      if (g * 10 > MAX_BUCKET_NS) {
        this.disable();
        return false;
      }
      this.#widen();
    }
  }

  #widen(): void {
    const lo = Math.floor(this.#lo / 10);
    const hi = Math.floor((this.#lo + this.#span - 1) / 10) + 1;
    for (const row of this.#counts) {
      const next = new Float64Array(MAX_BUCKETS);
      for (let i = 0; i < this.#span; i++) next[Math.floor((this.#lo + i) / 10) - lo]! += row[i]!;
      row.set(next);
    }
    this.bucketNs *= 10;
    this.#lo = lo;
    this.#span = hi - lo;
  }

  /** Non-empty (reason key, bucket number, drops); bucket b covers [b * bucketNs, (b + 1) * bucketNs) after the time base. */
  *entries(): Generator<[number, number, number]> {
    for (let rk = 0; rk < this.#counts.length; rk++) {
      const row = this.#counts[rk]!;
      for (let i = 0; i < this.#span; i++) if (row[i]! > 0) yield [rk, this.#lo + i, row[i]!];
    }
  }
}
