/**
 * The numbers behind `dropcap analyze` (the summary): the answers of GROUP
 * BY queries over the `drops` view, which a user can reproduce with
 * `dropcap analyze query`. At 10M drops each scan of the view takes seconds,
 * so the same numbers come, exactly, from the counts kept at import
 * whenever they can (sqlite/aggregate-queries.ts):
 * - no filter: per-site/reason/flow/stack counts, thousands of rows;
 * - a filter on what the drop's groups share (reason, port, address, host):
 *   the (who, what) groups of _drop_groups, then one scan for the timeline;
 * - a filter on time: one pass over the view counting drops per group
 *   (grouping on an integer), the same questions over those counts, and
 *   one more pass for the timeline.
 * Returns plain data; rendering is output/summary-text.ts.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { timeBuckets, type TimeBuckets } from '../output/histogram.js';
import { AGG, SITE_FUNCTION, groupsTimelineSql } from '../sqlite/aggregate-queries.js';
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
  /**
   * Answer from the counts kept at import where they suffice (default true);
   * false always scans the drops view.
   */
  readonly aggregates?: boolean;
}

/**
 * The summary needs the drops' own rows, and the database was imported
 * without them (LoadOptions.dropRows: false): load the captures with rows
 * and ask again. Thrown rather than answering from an empty _drop table.
 */
export class DropRowsNeeded extends Error {
  override readonly name = 'DropRowsNeeded';
}

/** Whether the import gave every drop its _drop row (the marker DbWriter writes). */
function hasDropRows(db: BetterSqlite3.Database): boolean {
  return db.prepare("SELECT value FROM _dropcap_db WHERE key = 'drop_rows'").pluck().get() !== '0';
}

// Integers arrive as number or bigint depending on the connection's
// safeIntegers setting; counts are always small enough for number.
const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

// group_concat(DISTINCT ...) has no defined order; sort so output is stable.
// Reason names are C identifiers or UNKNOWN(n): they never hold a comma.
const reasonList = (v: unknown): string => (v === null || v === undefined ? '' : String(v).split(',').sort().join(','));

/** Where the numbers come from (see the top of this file); 'scan' asks the view every question. */
type Source = 'counts' | 'groups' | 'selected' | 'scan';

/** Whether the filter can be evaluated over _drop_groups: it names only per-group columns. */
function filterFitsGroups(db: BetterSqlite3.Database, where: SqlCondition): boolean {
  try {
    db.prepare(`SELECT 1 FROM _drop_groups WHERE ${where.sql}`);
    return true;
  } catch (err) {
    if (/no such column/i.test((err as Error).message)) return false;
    throw err;
  }
}

function chooseSource(db: BetterSqlite3.Database, where: SqlCondition, opts: SummaryOptions, filtered: boolean, dropRows: boolean): Source {
  // the import's counts cover every drop: only a summary of all of them can use them
  const source = opts.aggregates === false ? 'scan' : !filtered && where.sql === '1' ? 'counts' : filterFitsGroups(db, where) ? 'groups' : 'selected';
  // every other source reads _drop: an empty one would give wrong numbers, not an error
  if (source !== 'counts' && !dropRows) throw new DropRowsNeeded(`a summary from ${source} needs the drops' rows`);
  return source;
}

interface Selection {
  /** JSON [[group_id, drops], ...] of the groups with selected drops */
  json: string;
  first: bigint | null;
  last: bigint | null;
}

/** One pass over the view: the selected drops per group, and their time range. */
function selectGroups(db: BetterSqlite3.Database, where: SqlCondition): Selection {
  const rows = db
    .prepare(`SELECT group_id, COUNT(*) AS n, MIN(time_ns) AS first, MAX(time_ns) AS last FROM _drops_with_group WHERE ${where.sql} GROUP BY group_id`)
    .safeIntegers(true)
    .all(...where.params) as Array<{ group_id: bigint; n: bigint; first: bigint; last: bigint }>;
  let first: bigint | null = null;
  let last: bigint | null = null;
  for (const r of rows) {
    if (first === null || r.first < first) first = r.first;
    if (last === null || r.last > last) last = r.last;
  }
  return { json: JSON.stringify(rows.map((r) => [Number(r.group_id), Number(r.n)])), first, last };
}

export function collectSummary(db: BetterSqlite3.Database, where: SqlCondition, opts: SummaryOptions, filtered: boolean): SummaryData {
  const all = <T>(sql: string, ...params: unknown[]): T[] => db.prepare(sql).all(...params) as T[];
  const dropRows = hasDropRows(db);
  const source = chooseSource(db, where, opts, filtered, dropRows);
  const selection = source === 'selected' ? selectGroups(db, where) : null;
  // The same GROUP BY questions over drops (one row per drop), or over
  // groups with `drops` of them: all those matching a filter (w, p), or
  // those the pass above selected (already filtered: where 1).
  const from =
    source === 'scan' ? 'drops'
    : source === 'groups' ? '_drop_groups'
    : `(SELECT g.*, CAST(j.value ->> 1 AS INTEGER) AS selected FROM json_each(?) j JOIN _drop_groups g ON g.group_id = (j.value ->> 0))`;
  const w = selection ? '1' : where.sql;
  const p = selection ? [selection.json] : where.params;
  const n = source === 'groups' ? 'drops' : 'selected';
  const count = source === 'scan' ? 'COUNT(*)' : `SUM(${n})`;
  const countStacks = source === 'scan' ? 'COUNT(stack_id)' : `SUM(CASE WHEN stack_id IS NOT NULL THEN ${n} ELSE 0 END)`;

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

  const t = (source === 'counts'
    ? all<Record<string, unknown>>(AGG.totals)
    : all<Record<string, unknown>>(
        `SELECT COALESCE(${count}, 0) AS drops, COUNT(DISTINCT reason) AS reasons, COUNT(DISTINCT ${SITE_FUNCTION}) AS sites,
                COUNT(DISTINCT saddr || ' ' || sport || ' ' || daddr || ' ' || dport) AS flows,
                COALESCE(${countStacks}, 0) AS with_stack
           FROM ${from} WHERE ${w}`,
        ...p,
      ))[0] ?? {};
  // every drop, filtered or not: the import's count equals COUNT(*) FROM drops
  const allDrops = filtered ? num(all<{ n: unknown }>(AGG.allDrops)[0]?.n) : num(t.drops);
  const totals: SummaryTotals = {
    drops: num(t.drops),
    all_drops: allDrops,
    reasons: num(t.reasons),
    sites: num(t.sites),
    flows: num(t.flows),
    with_stack: num(t.with_stack),
  };

  const top_reasons = (source === 'counts'
    ? all<Record<string, unknown>>(AGG.topReasons, opts.top)
    : all<Record<string, unknown>>(
        `SELECT reason, reason_code, MIN(subsystem) AS subsystem, ${count} AS drops
           FROM ${from} WHERE ${w} GROUP BY reason, reason_code ORDER BY drops DESC, reason LIMIT ?`,
        ...p,
        opts.top,
      )
  ).map((r) => ({
    reason: String(r.reason),
    reason_code: num(r.reason_code),
    subsystem: (r.subsystem as string | null) ?? null,
    drops: num(r.drops),
    share: totals.drops > 0 ? num(r.drops) / totals.drops : 0,
  }));

  const top_sites = (source === 'counts'
    ? all<Record<string, unknown>>(AGG.topSites, opts.top)
    : all<Record<string, unknown>>(
        `SELECT ${SITE_FUNCTION} AS function, ${count} AS drops, group_concat(DISTINCT reason) AS reasons
           FROM ${from} WHERE ${w} GROUP BY 1 ORDER BY drops DESC, function LIMIT ?`,
        ...p,
        opts.top,
      )
  ).map((r) => ({ function: String(r.function), drops: num(r.drops), reasons: reasonList(r.reasons) }));

  const top_flows = (source === 'counts'
    ? all<Record<string, unknown>>(AGG.topFlows, num(all<{ drops: unknown }>(AGG.flowThreshold, opts.top - 1)[0]?.drops), opts.top)
    : all<Record<string, unknown>>(
        `SELECT saddr, sport, daddr, dport, ${count} AS drops, group_concat(DISTINCT reason) AS reasons
           FROM ${from} WHERE ${w} GROUP BY saddr, sport, daddr, dport ORDER BY drops DESC, saddr, sport, daddr, dport LIMIT ?`,
        ...p,
        opts.top,
      )
  ).map((r) => ({
    saddr: String(r.saddr),
    sport: num(r.sport),
    daddr: String(r.daddr),
    dport: num(r.dport),
    drops: num(r.drops),
    reasons: reasonList(r.reasons),
  }));

  const frameQuery = db.prepare('SELECT frame FROM stack_frames WHERE stack_id = ? ORDER BY depth').pluck();
  const top_stacks = (source === 'counts'
    ? all<Record<string, unknown>>(AGG.topStacks, opts.stacks)
    : all<Record<string, unknown>>(
        `SELECT stack_id, ${count} AS drops, MIN(location) AS location
           FROM ${from} WHERE (${w}) AND stack_id IS NOT NULL GROUP BY stack_id ORDER BY drops DESC, stack_id LIMIT ?`,
        ...p,
        opts.stacks,
      )
  ).map((r) => ({
    stack_id: num(r.stack_id),
    drops: num(r.drops),
    location: (r.location as string | null) ?? null,
    frames: (frameQuery.all(r.stack_id) as unknown[]).map(String),
  }));

  const reasons = top_reasons.slice(0, 4).map((r) => r.reason);
  const timeline =
    source === 'counts' ? collectTimelineFromCounts(db, where, opts.buckets, reasons, dropRows)
    : source === 'groups' ? collectTimelineOfGroups(db, where, opts.buckets, reasons)
    : selection ? scanTimeline(db, where, selection, opts.buckets, reasons)
    : collectTimeline(db, where, opts.buckets, reasons);
  return { captures, stats, filtered, totals, top_reasons, top_sites, top_flows, top_stacks, timeline };
}

interface BucketRow {
  bucket: bigint;
  reason: string;
  n: bigint;
}

/** The histogram from (bucket, reason, n) rows: all drops, and the given reasons'. */
function timelineOf(buckets: TimeBuckets, rows: BucketRow[], reasons: string[]): SummaryTimeline {
  const counts = new Array<number>(buckets.count).fill(0);
  const byReason = new Map(reasons.map((r) => [r, new Array<number>(buckets.count).fill(0)]));
  for (const r of rows) {
    const i = Number(r.bucket);
    if (!(i >= 0 && i < counts.length)) continue;
    counts[i]! += Number(r.n);
    const own = byReason.get(r.reason);
    if (own) own[i]! += Number(r.n);
  }
  return { start_ns: buckets.start, bucket_ns: buckets.width, counts, by_reason: reasons.map((reason) => ({ reason, counts: byReason.get(reason)! })) };
}

/** Drops over time by scanning the view: its range, then every (bucket, reason) in one pass. */
function collectTimeline(db: BetterSqlite3.Database, where: SqlCondition, maxBuckets: number, reasons: string[]): SummaryTimeline | null {
  // time_ns is ~1.8e18: read it as bigint, a double would round it.
  const range = db
    .prepare(`SELECT MIN(time_ns) AS first, MAX(time_ns) AS last FROM drops WHERE ${where.sql}`)
    .safeIntegers(true)
    .get(...where.params) as { first: bigint | null; last: bigint | null } | undefined;
  return scanTimeline(db, where, range ?? { first: null, last: null }, maxBuckets, reasons);
}

/** Every (bucket, reason) of the filtered drops in one pass of the view, given their time range. */
function scanTimeline(
  db: BetterSqlite3.Database,
  where: SqlCondition,
  range: { first: bigint | null; last: bigint | null },
  maxBuckets: number,
  reasons: string[],
): SummaryTimeline | null {
  if (range.first === null || range.last === null) return null;
  const buckets = timeBuckets(range.first, range.last, maxBuckets);
  const rows = db
    .prepare(`SELECT (time_ns - ?) / ? AS bucket, reason, COUNT(*) AS n FROM drops WHERE (${where.sql}) GROUP BY 1, 2`)
    .safeIntegers(true)
    .all(buckets.start, buckets.width, ...where.params) as BucketRow[];
  return timelineOf(buckets, rows, reasons);
}

/**
 * Drops over time for a filter on groups: the range from the groups' first
 * and last times, then one pass over _drop restricted to the matching
 * groups (an index probe per drop instead of the view's lookups).
 */
function collectTimelineOfGroups(db: BetterSqlite3.Database, where: SqlCondition, maxBuckets: number, reasons: string[]): SummaryTimeline | null {
  const range = db
    .prepare(`SELECT MIN(first_ns) AS first, MAX(last_ns) AS last, COUNT(*) - COUNT(first_ns) AS unknown FROM _drop_groups WHERE ${where.sql}`)
    .safeIntegers(true)
    .get(...where.params) as { first: bigint | null; last: bigint | null; unknown: bigint } | undefined;
  if (range && range.unknown > 0n) return collectTimeline(db, where, maxBuckets, reasons);
  if (!range || range.first === null || range.last === null) return null;
  const buckets = timeBuckets(range.first, range.last, maxBuckets);
  const rows = db
    .prepare(groupsTimelineSql(where.sql))
    .safeIntegers(true)
    .all(buckets.start, buckets.width, ...where.params) as BucketRow[];
  return timelineOf(buckets, rows, reasons);
}

/**
 * The timeline from _agg_time: exact when each capture's fine buckets divide
 * the histogram's width (they are powers of ten, the width a round number);
 * otherwise, and for the rare captures without fine buckets, the scan.
 */
function collectTimelineFromCounts(db: BetterSqlite3.Database, where: SqlCondition, maxBuckets: number, reasons: string[], dropRows: boolean): SummaryTimeline | null {
  const range = db.prepare(AGG.timeRange).safeIntegers(true).get() as { first: bigint | null; last: bigint | null } | undefined;
  if (!range || range.first === null || range.last === null) return null;
  const buckets: TimeBuckets = timeBuckets(range.first, range.last, maxBuckets);
  const widths = db.prepare(AGG.bucketWidths).pluck().safeIntegers(true).all() as Array<bigint | null>;
  // a span too short for the finest counted buckets (~59 ms), or a capture whose counts were given up: scan
  if (widths.some((g) => g === null || g <= 0n || buckets.width % g !== 0n)) {
    if (!dropRows) throw new DropRowsNeeded('the drops-over-time histogram needs the drops\' rows');
    return collectTimeline(db, where, maxBuckets, reasons);
  }
  const rows = db.prepare(AGG.timeBuckets).safeIntegers(true).all(buckets.start, buckets.width) as BucketRow[];
  return timelineOf(buckets, rows, reasons);
}
