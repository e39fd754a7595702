/**
 * `--since` / `--until` values. Three forms, all resolved per capture so one
 * command line works across a fleet of captures recorded at different times:
 *
 *   2026-11-22T20:24:39.5Z   absolute ISO 8601 (a zone or Z is required)
 *   20:24:39                 a time of day as `list` prints it (local time,
 *                            UTC with --utc), on the capture's first day (or
 *                            the next day if that is before the capture started)
 *   10s, +1m30s, 250ms       an offset from the capture's start
 *   -30s                     an offset back from the capture's end
 */
import { UsageError } from './errors.js';

/** The zone a time of day is read in: the one `list` prints times in. */
export type TimeZone = 'local' | 'utc';

export type TimeSpec =
  | { readonly kind: 'absolute'; readonly ns: bigint }
  | {
      readonly kind: 'time_of_day';
      readonly hours: number;
      readonly minutes: number;
      readonly seconds: number;
      readonly nanos: bigint;
      readonly zone: TimeZone;
    }
  | { readonly kind: 'from_start'; readonly offsetNs: bigint }
  | { readonly kind: 'before_end'; readonly offsetNs: bigint };

const UNIT_NS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  min: 60_000_000_000n,
  h: 3_600_000_000_000n,
  d: 86_400_000_000_000n,
};

/** "1m30s" → ns; undefined when the text is not a duration. */
export function parseDuration(text: string): bigint | undefined {
  if (!/^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|min|m|h|d))+$/.test(text)) return undefined;
  let total = 0n;
  for (const [, amount = '0', unit = 's'] of text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|min|m|h|d)/g)) {
    total += decimalTimes(amount, UNIT_NS[unit] ?? 0n);
  }
  return total;
}

// amount × unit without going through a float, so 1.000000001s is exact.
function decimalTimes(amount: string, unit: bigint): bigint {
  const [whole = '0', fraction = ''] = amount.split('.');
  const scale = 10n ** BigInt(fraction.length);
  return (BigInt(whole) * scale + BigInt(fraction || '0')) * unit / scale;
}

/** ISO 8601 date-time with zone → ns since the epoch, keeping all 9 digits. */
export function parseIsoToNs(text: string): bigint | undefined {
  const match = /^(\d{4}-\d\d-\d\d[T ]\d\d:\d\d(?::\d\d)?)(?:\.(\d{1,9}))?(Z|[+-]\d\d:?\d\d)$/i.exec(text.trim());
  if (!match) return undefined;
  const [, base = '', fraction = '', zone = ''] = match;
  const ms = Date.parse(`${base.replace(' ', 'T')}${zone.toUpperCase()}`);
  if (Number.isNaN(ms)) return undefined;
  return BigInt(ms) * 1_000_000n + BigInt(fraction.padEnd(9, '0'));
}

/** `zone`: how a time of day is read; `list --utc` prints UTC, so `--utc --since 10:55` means 10:55 UTC. */
export function parseTimeSpec(option: string, text: string, zone: TimeZone = 'local'): TimeSpec {
  const value = text.trim();
  const absolute = parseIsoToNs(value);
  if (absolute !== undefined) return { kind: 'absolute', ns: absolute };
  const clock = /^(\d{1,2}):(\d\d)(?::(\d\d)(?:\.(\d{1,9}))?)?$/.exec(value);
  if (clock) {
    const [, h = '0', m = '0', s = '0', f = ''] = clock;
    if (Number(h) < 24 && Number(m) < 60 && Number(s) < 60) {
      return { kind: 'time_of_day', hours: Number(h), minutes: Number(m), seconds: Number(s), nanos: BigInt(f.padEnd(9, '0')), zone };
    }
  }
  const sign = value[0] === '-' || value[0] === '+' ? value[0] : '';
  const offset = parseDuration(value.slice(sign.length));
  if (offset !== undefined) {
    return sign === '-' ? { kind: 'before_end', offsetNs: offset } : { kind: 'from_start', offsetNs: offset };
  }
  throw new UsageError(
    `--${option} ${JSON.stringify(text)} is not a time; use ISO 8601 (2026-11-22T20:24:39Z), a time of day (20:24:39), or an offset such as 10s, 1m30s or --${option}=-30s`,
  );
}

/** A capture's time range, ns since the epoch. */
export interface CaptureSpan {
  readonly startNs: bigint;
  readonly endNs: bigint;
}

/** The instant a spec names for one capture. */
export function resolveTimeSpec(spec: TimeSpec, span: CaptureSpan): bigint {
  switch (spec.kind) {
    case 'absolute':
      return spec.ns;
    case 'from_start':
      return span.startNs + spec.offsetNs;
    case 'before_end':
      return span.endNs - spec.offsetNs;
    case 'time_of_day': {
      let ns = BigInt(onStartDay(spec, span.startNs)) * 1_000_000n + spec.nanos;
      // A capture that runs past midnight: 00:05 means the next day.
      if (ns < span.startNs - 1_000_000_000n) ns += 86_400_000_000_000n;
      return ns;
    }
  }
}

/** ms since the epoch of the spec's clock time on the day (in its zone) the capture started. */
function onStartDay(spec: Extract<TimeSpec, { kind: 'time_of_day' }>, startNs: bigint): number {
  const start = new Date(Number(startNs / 1_000_000n));
  if (spec.zone === 'utc') {
    return Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate(), spec.hours, spec.minutes, spec.seconds);
  }
  return new Date(start.getFullYear(), start.getMonth(), start.getDate(), spec.hours, spec.minutes, spec.seconds).getTime();
}
