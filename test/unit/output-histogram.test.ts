import { describe, expect, it } from 'vitest';
import { formatDuration, localeSupportsUnicode, sparkline, timeBuckets } from '../../packages/analyzer/src/output/index.js';

describe('sparkline', () => {
  it('maps counts to eight levels, zero to a blank, max to a full block', () => {
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7, 8])).toBe(' ▁▂▃▄▅▆▇█');
  });
  it('gives every non-zero count at least the lowest bar', () => {
    expect(sparkline([1, 1000, 0])).toBe('▁█ ');
  });
  it('can scale against a shared maximum', () => {
    expect(sparkline([4], { max: 8 })).toBe('▄');
  });
  it('falls back to ASCII', () => {
    expect(sparkline([0, 1, 8], { unicode: false })).toBe(' .@');
  });
  it('all zeros is all blanks', () => {
    expect(sparkline([0, 0])).toBe('  ');
  });
});

describe('locale', () => {
  it('uses ASCII only for an explicit non-UTF-8 locale', () => {
    expect(localeSupportsUnicode({})).toBe(true);
    expect(localeSupportsUnicode({ LANG: 'en_US.UTF-8' })).toBe(true);
    expect(localeSupportsUnicode({ LANG: 'C' })).toBe(false);
    expect(localeSupportsUnicode({ LC_ALL: 'C.utf8', LANG: 'C' })).toBe(true);
  });
});

describe('timeBuckets', () => {
  it('chooses a round width that fits the span in the bucket budget', () => {
    const s = 1_000_000_000_000n;
    const b = timeBuckets(s, s + 59_000_000_000n, 60);
    expect(b.width).toBe(1_000_000_000n);
    expect(b.start).toBe(s);
    expect(b.count).toBe(60);
    const wide = timeBuckets(s, s + 600_000_000_000n, 60);
    expect(wide.width).toBe(15_000_000_000n);
    expect(wide.count).toBeLessThanOrEqual(60);
    expect(wide.start + wide.width * BigInt(wide.count)).toBeGreaterThan(s + 600_000_000_000n);
  });
  it('a single instant is one bucket', () => {
    expect(timeBuckets(5n, 5n).count).toBe(1);
  });
});

describe('formatDuration', () => {
  it('uses the largest exact unit, else one decimal', () => {
    expect(formatDuration(5_000_000_000n)).toBe('5 s');
    expect(formatDuration(120_000_000_000n)).toBe('2 min');
    expect(formatDuration(500_000_000n)).toBe('500 ms');
    expect(formatDuration(1_500_000_000n)).toBe('1.5 s');
    expect(formatDuration(7n)).toBe('7 ns');
  });
});
