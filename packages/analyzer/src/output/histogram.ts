/**
 * Compact text histograms ("sparklines") for drops over time: one character
 * per time bucket, its height proportional to the bucket's count.
 */

const UNICODE_LEVELS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
const ASCII_LEVELS = ['.', ':', '-', '=', '+', '*', '#', '@'];

export interface SparklineOptions {
  /** Block characters when true; ASCII for terminals without UTF-8. */
  readonly unicode?: boolean;
  /** Scale against this maximum (to compare several lines); default: own max. */
  readonly max?: number;
}

/**
 * One character per count. Zero is a blank so "no drops" and "a few drops"
 * stay distinguishable; any non-zero count gets at least the lowest bar.
 */
export function sparkline(counts: readonly number[], opts: SparklineOptions = {}): string {
  const levels = opts.unicode === false ? ASCII_LEVELS : UNICODE_LEVELS;
  const max = opts.max ?? Math.max(0, ...counts);
  return counts
    .map((count) => {
      if (count <= 0 || max <= 0) return ' ';
      const level = Math.ceil((count / max) * levels.length) - 1;
      return levels[Math.min(levels.length - 1, Math.max(0, level))];
    })
    .join('');
}

/** Whether the environment's locale can show block characters. */
export function localeSupportsUnicode(env: Readonly<Record<string, string | undefined>>): boolean {
  const locale = env.LC_ALL || env.LC_CTYPE || env.LANG;
  // No locale at all is common in containers whose terminals are UTF-8
  // anyway; an explicit non-UTF-8 locale (C, POSIX, latin1) gets ASCII.
  return locale === undefined || locale === '' || /utf-?8/i.test(locale);
}

export interface TimeBuckets {
  /** Start of the first bucket, ns. */
  readonly start: bigint;
  /** Width of each bucket, ns (at least 1). */
  readonly width: bigint;
  readonly count: number;
}

/**
 * Splits [first, last] into at most `maxBuckets` buckets of a "round" width
 * (1, 2, 5 × 10^k ns, or whole seconds/minutes/hours) so the legend reads
 * "1 bucket = 5 s" rather than "= 4.87 s".
 */
export function timeBuckets(first: bigint, last: bigint, maxBuckets = 60): TimeBuckets {
  const span = last > first ? last - first : 0n;
  const wanted = span / BigInt(maxBuckets) + 1n;
  const width = roundDuration(wanted);
  const start = (first / width) * width;
  const count = Number((last - start) / width) + 1;
  return { start, width, count };
}

const NICE_NS = [
  1n, 2n, 5n, 10n, 20n, 50n, 100n, 200n, 500n,
  1_000n, 2_000n, 5_000n, 10_000n, 20_000n, 50_000n, 100_000n, 200_000n, 500_000n,
  1_000_000n, 2_000_000n, 5_000_000n, 10_000_000n, 20_000_000n, 50_000_000n,
  100_000_000n, 200_000_000n, 500_000_000n,
  1_000_000_000n, 2_000_000_000n, 5_000_000_000n, 10_000_000_000n, 15_000_000_000n, 30_000_000_000n,
  60_000_000_000n, 120_000_000_000n, 300_000_000_000n, 600_000_000_000n, 900_000_000_000n, 1_800_000_000_000n,
  3_600_000_000_000n, 7_200_000_000_000n, 21_600_000_000_000n, 43_200_000_000_000n, 86_400_000_000_000n,
];

function roundDuration(ns: bigint): bigint {
  for (const nice of NICE_NS) if (nice >= ns) return nice;
  const day = 86_400_000_000_000n;
  return ((ns + day - 1n) / day) * day;
}

/** A duration in ns as short text in its largest unit: 500 ms, 1.5 s, 2 min. */
export function formatDuration(ns: bigint): string {
  const units: Array<[bigint, string]> = [
    [86_400_000_000_000n, 'd'],
    [3_600_000_000_000n, 'h'],
    [60_000_000_000n, 'min'],
    [1_000_000_000n, 's'],
    [1_000_000n, 'ms'],
    [1_000n, 'µs'],
  ];
  for (const [size, unit] of units) {
    if (ns < size) continue;
    return ns % size === 0n ? `${ns / size} ${unit}` : `${(Number(ns) / Number(size)).toFixed(1)} ${unit}`;
  }
  return `${ns} ns`;
}
