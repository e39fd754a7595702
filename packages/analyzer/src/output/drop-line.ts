/**
 * The seed tool's line format (bcc tcpdrop), shared by `analyze list` and the
 * live recorder so both print a drop identically:
 *
 *   TIME     PID     IP SADDR:SPORT          > DADDR:DPORT          STATE (FLAGS)        REASON (CODE)
 *   14:46:49 0       4  39.156.66.10:80      > 10.211.55.10:33280   SYN_SENT (SYN|ACK)   NETFILTER_DROP (12)
 *
 * tcpdrop's printf is "%-8s %-7d %-2d %-20s > %-20s %-20s %s (%d)": columns
 * are padded, never truncated, so a long IPv6 endpoint pushes the rest right
 * exactly as it does in the seed. Endpoints use the seed's plain addr:port,
 * also for IPv6.
 */
import { sanitizeTerminal } from './sanitize.js';

/** The drops-view columns a line needs; a DropRow or a raw SQL row both fit. */
export interface DropLineFields {
  /** ISO 8601 wall-clock time, e.g. 2026-11-22T20:24:39.123456789Z. */
  readonly time?: string | null;
  /** Wall-clock nanoseconds since the epoch; used when `time` is absent. */
  readonly time_ns?: bigint | number | null;
  readonly pid: number | bigint | null;
  readonly family: number | bigint | null;
  readonly saddr: string | null;
  readonly sport: number | bigint | null;
  readonly daddr: string | null;
  readonly dport: number | bigint | null;
  readonly state: string | null;
  readonly tcp_flags: string | null;
  readonly reason: string | null;
  readonly reason_code: number | bigint | null;
}

export interface DropLineOptions {
  /** Time of day in the local zone (the seed's strftime) or in UTC. */
  readonly time?: 'local' | 'utc';
}

// Width in code points; only strings with surrogate pairs need the slow count.
const codePoints = (s: string) => (/[\ud800-\udfff]/.test(s) ? [...s].length : s.length);
const padEnd = (s: string, width: number) => s + ' '.repeat(Math.max(0, width - codePoints(s)));
const two = (n: number) => String(n).padStart(2, '0');
const text = (v: unknown) => sanitizeTerminal(v === null || v === undefined ? '' : String(v));

/** The column header line, exactly as the seed prints it. */
export function formatDropHeader(): string {
  return [
    padEnd('TIME', 8),
    padEnd('PID', 7),
    padEnd('IP', 2),
    padEnd('SADDR:SPORT', 20),
    '>',
    padEnd('DADDR:DPORT', 20),
    padEnd('STATE (FLAGS)', 20),
    'REASON (CODE)',
  ].join(' ');
}

// Drops come in bursts within one second: remember the last conversion.
let lastLocal: { key: string; text: string } | undefined;

/** HH:MM:SS of a drop, in the zone asked for. */
export function formatTimeOfDay(row: Pick<DropLineFields, 'time' | 'time_ns'>, zone: 'local' | 'utc' = 'local'): string {
  // Reading HH:MM:SS straight from the ISO text keeps UTC exact, whatever
  // precision the fraction has.
  if (zone === 'utc' && typeof row.time === 'string') {
    const match = /T(\d\d:\d\d:\d\d)/.exec(row.time);
    if (match?.[1]) return match[1];
  }
  // Local time depends only on the whole second, which is the ISO text up to
  // the seconds (zone offsets are whole minutes).
  const key = zone === 'local' && typeof row.time === 'string' ? row.time.slice(0, 19) : undefined;
  if (key !== undefined && lastLocal?.key === key) return lastLocal.text;
  let date: Date | undefined;
  if (typeof row.time === 'string') date = new Date(row.time);
  else if (row.time_ns !== null && row.time_ns !== undefined) date = new Date(Number(BigInt(row.time_ns) / 1_000_000n));
  if (!date || Number.isNaN(date.getTime())) return '??:??:??';
  if (zone === 'utc') return `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())}`;
  const text = `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
  if (key !== undefined) lastLocal = { key, text };
  return text;
}

/** One drop as the seed tool prints it (no trailing newline). */
export function formatDropLine(row: DropLineFields, opts: DropLineOptions = {}): string {
  return [
    padEnd(formatTimeOfDay(row, opts.time), 8),
    padEnd(text(row.pid), 7),
    padEnd(text(row.family), 2),
    padEnd(`${text(row.saddr)}:${text(row.sport)}`, 20),
    '>',
    padEnd(`${text(row.daddr)}:${text(row.dport)}`, 20),
    padEnd(`${text(row.state)} (${text(row.tcp_flags)})`, 20),
    `${text(row.reason)} (${text(row.reason_code)})`,
  ].join(' ');
}
