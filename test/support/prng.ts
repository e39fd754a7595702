// A seeded stream of pseudo-random draws (mulberry32), so that a test's
// random inputs are the same on every run.

/** Draws in [0, n) from `seed`. */
export function draws(seed: number): (n: number) => number {
  return (n) => {
    seed = (seed + 0x6d2b79f5) >>> 0;
    let x = Math.imul(seed ^ (seed >>> 15), seed | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) % n;
  };
}
