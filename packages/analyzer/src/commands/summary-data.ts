/**
 * The numbers behind `dropcap analyze` (the summary), gathered with SQL over
 * the documented views only, so what the summary shows a user can always
 * reproduce with `dropcap analyze query`. Returns plain data; rendering is
 * output/summary-text.ts.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { timeBuckets } from '../output/histogram.js';
import type { SqlCondition } from './filters.js';

export interface SummaryCapture {
  capture_id: number;
  path: string | null;
  host: string | null;
  kernel_release: string | null;
  attach: string | null;
  start_time: string | null;
  end_time: string | null;
  duration_s: number | null;
  events: number | null;
}

export interface SummaryStat {
  capture_id: number;
  name: string;
  severity: string;
  value: number;
  description: string | null;
}

export interface SummaryTotals {
  /** Drops matching the filters. */
  drops: number;
  /** Drops in the captures, filtered or not. */
  all_drops: number;
  reasons: number;
  sites: number;
  flows: number;
  with_stack: number;
}

export interface SummaryTimeline {
  /** Start of the first bucket, ns since the epoch (a string in JSON when large). */
  start_ns: bigint;
  bucket_ns: bigint;
  counts: number[];
  by_reason: Array<{ reason: string; counts: number[] }>;
}

export interface SummaryData {
  captures: SummaryCapture[];
  stats: SummaryStat[];
  filtered: boolean;
  totals: SummaryTotals;
  top_reasons: Array<{ reason: string; reason_code: number; subsystem: string | null; drops: number; share: number }>;
  top_sites: Array<{ function: string; drops: number; reasons: string }>;
  top_flows: Array<{ saddr: string; sport: number; daddr: string; dport: number; drops: number; reasons: string }>;
  top_stacks: Array<{ stack_id: number; drops: number; location: string | null; frames: string[] }>;
  timeline: SummaryTimeline | null;
}

export interface SummaryOptions {
  /** Rows per "top" table. */
  readonly top: number;
  /** Most distinct stacks shown (each is many lines). */
  readonly stacks: number;
  /** Width of the drops-over-time histogram, in buckets. */
  readonly buckets: number;
}

// Integers arrive as number or bigint depending on the connection's
// safeIntegers setting; counts are always small enough for number.
const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

// group_concat(DISTINCT ...) has no defined order; sort so output is stable.
// Reason names are C identifiers or UNKNOWN(n): they never hold a comma.
const reasonList = (v: unknown): string => (v === null || v === undefined ? '' : String(v).split(',').sort().join(','));

// `tcp_v4_rcv+0x91` → `tcp_v4_rcv`: drop sites grouped by function, since
// offsets differ between call sites of one function only in detail.
const SITE_FUNCTION = "CASE WHEN instr(location, '+') > 0 THEN substr(location, 1, instr(location, '+') - 1) ELSE location END";

export function collectSummary(db: BetterSqlite3.Database, where: SqlCondition, opts: SummaryOptions, filtered: boolean): SummaryData {
  const all = <T>(sql: string, ...params: unknown[]): T[] => db.prepare(sql).all(...params) as T[];
  const w = where.sql;
  const p = where.params;

  const captures = all<Record<string, unknown>>(
    'SELECT capture_id, path, host, kernel_release, attach, start_time, end_time, duration_s, events FROM captures ORDER BY capture_id',
  ).map((c) => ({
    capture_id: num(c.capture_id),
    path: (c.path as string | null) ?? null,
    host: (c.host as string | null) ?? null,
    kernel_release: (c.kernel_release as string | null) ?? null,
    attach: (c.attach as string | null) ?? null,
    start_time: (c.start_time as string | null) ?? null,
    end_time: (c.end_time as string | null) ?? null,
    duration_s: c.duration_s === null || c.duration_s === undefined ? null : Number(c.duration_s),
    events: c.events === null || c.events === undefined ? null : num(c.events),
  }));

  const stats = all<Record<string, unknown>>(
    'SELECT capture_id, name, severity, value, description FROM stats ORDER BY capture_id, name',
  ).map((s) => ({
    capture_id: num(s.capture_id),
    name: String(s.name),
    severity: String(s.severity),
    value: num(s.value),
    description: (s.description as string | null) ?? null,
  }));

  const t = all<Record<string, unknown>>(
    `SELECT COUNT(*) AS drops, COUNT(DISTINCT reason) AS reasons, COUNT(DISTINCT ${SITE_FUNCTION}) AS sites,
            COUNT(DISTINCT saddr || ' ' || sport || ' ' || daddr || ' ' || dport) AS flows,
            COUNT(stack_id) AS with_stack
       FROM drops WHERE ${w}`,
    ...p,
  )[0] ?? {};
  const allDrops = filtered ? num(all<{ n: unknown }>('SELECT COUNT(*) AS n FROM drops')[0]?.n) : num(t.drops);
  const totals: SummaryTotals = {
    drops: num(t.drops),
    all_drops: allDrops,
    reasons: num(t.reasons),
    sites: num(t.sites),
    flows: num(t.flows),
    with_stack: num(t.with_stack),
  };

  const top_reasons = all<Record<string, unknown>>(
    `SELECT reason, reason_code, MIN(subsystem) AS subsystem, COUNT(*) AS drops
       FROM drops WHERE ${w} GROUP BY reason, reason_code ORDER BY drops DESC, reason LIMIT ?`,
    ...p,
    opts.top,
  ).map((r) => ({
    reason: String(r.reason),
    reason_code: num(r.reason_code),
    subsystem: (r.subsystem as string | null) ?? null,
    drops: num(r.drops),
    share: totals.drops > 0 ? num(r.drops) / totals.drops : 0,
  }));

  const top_sites = all<Record<string, unknown>>(
    `SELECT ${SITE_FUNCTION} AS function, COUNT(*) AS drops, group_concat(DISTINCT reason) AS reasons
       FROM drops WHERE ${w} GROUP BY 1 ORDER BY drops DESC, function LIMIT ?`,
    ...p,
    opts.top,
  ).map((r) => ({ function: String(r.function), drops: num(r.drops), reasons: reasonList(r.reasons) }));

  const top_flows = all<Record<string, unknown>>(
    `SELECT saddr, sport, daddr, dport, COUNT(*) AS drops, group_concat(DISTINCT reason) AS reasons
       FROM drops WHERE ${w} GROUP BY saddr, sport, daddr, dport ORDER BY drops DESC, saddr, sport, daddr, dport LIMIT ?`,
    ...p,
    opts.top,
  ).map((r) => ({
    saddr: String(r.saddr),
    sport: num(r.sport),
    daddr: String(r.daddr),
    dport: num(r.dport),
    drops: num(r.drops),
    reasons: reasonList(r.reasons),
  }));

  const frameQuery = db.prepare('SELECT frame FROM stack_frames WHERE stack_id = ? ORDER BY depth').pluck();
  const top_stacks = all<Record<string, unknown>>(
    `SELECT stack_id, COUNT(*) AS drops, MIN(location) AS location
       FROM drops WHERE (${w}) AND stack_id IS NOT NULL GROUP BY stack_id ORDER BY drops DESC, stack_id LIMIT ?`,
    ...p,
    opts.stacks,
  ).map((r) => ({
    stack_id: num(r.stack_id),
    drops: num(r.drops),
    location: (r.location as string | null) ?? null,
    frames: (frameQuery.all(r.stack_id) as unknown[]).map(String),
  }));

  return {
    captures,
    stats,
    filtered,
    totals,
    top_reasons,
    top_sites,
    top_flows,
    top_stacks,
    timeline: collectTimeline(db, where, opts.buckets, top_reasons.slice(0, 4).map((r) => r.reason)),
  };
}

function collectTimeline(db: BetterSqlite3.Database, where: SqlCondition, maxBuckets: number, reasons: string[]): SummaryTimeline | null {
  // time_ns is ~1.8e18: read it as bigint, a double would round it.
  const range = db
    .prepare(`SELECT MIN(time_ns) AS first, MAX(time_ns) AS last FROM drops WHERE ${where.sql}`)
    .safeIntegers(true)
    .get(...where.params) as { first: bigint | null; last: bigint | null } | undefined;
  if (!range || range.first === null || range.last === null) return null;
  const buckets = timeBuckets(range.first, range.last, maxBuckets);
  const bucketCounts = (extra: string, extraParams: unknown[]) => {
    const counts = new Array<number>(buckets.count).fill(0);
    const rows = db
      .prepare(`SELECT (time_ns - ?) / ? AS bucket, COUNT(*) AS n FROM drops WHERE (${where.sql}) ${extra} GROUP BY bucket`)
      .safeIntegers(true)
      .all(buckets.start, buckets.width, ...where.params, ...extraParams) as Array<{ bucket: bigint; n: bigint }>;
    for (const r of rows) {
      const i = Number(r.bucket);
      if (i >= 0 && i < counts.length) counts[i] = Number(r.n);
    }
    return counts;
  };
  return {
    start_ns: buckets.start,
    bucket_ns: buckets.width,
    counts: bucketCounts('', []),
    by_reason: reasons.map((reason) => ({ reason, counts: bucketCounts('AND reason = ?', [reason]) })),
  };
}
