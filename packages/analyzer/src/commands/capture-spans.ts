/**
 * Each capture's time range, for filters whose times are relative to a
 * capture (`--since 10s`): the `captures` table's start_ns/end_ns, or the
 * first and last drop when the capture did not record them.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { CaptureSpan } from './time-spec.js';

export function captureSpans(db: BetterSqlite3.Database): Map<bigint, CaptureSpan> {
  const rows = db
    .prepare(
      `SELECT c.capture_id, c.start_ns, c.end_ns,
              -- kept at import: a MIN/MAX over the drops view would scan every drop
              (SELECT first_ns FROM _agg_capture a WHERE a.capture_id = c.capture_id) AS first_ns,
              (SELECT last_ns FROM _agg_capture a WHERE a.capture_id = c.capture_id) AS last_ns
         FROM captures c ORDER BY c.capture_id`,
    )
    // Nanoseconds since the epoch exceed 2^53: read them as bigint.
    .safeIntegers(true)
    .all() as Array<Record<'capture_id' | 'start_ns' | 'end_ns' | 'first_ns' | 'last_ns', bigint | null>>;
  const spans = new Map<bigint, CaptureSpan>();
  for (const r of rows) {
    const startNs = r.start_ns ?? r.first_ns;
    const endNs = r.end_ns ?? r.last_ns ?? startNs;
    if (r.capture_id !== null && startNs !== null && endNs !== null) spans.set(r.capture_id, { startNs, endNs });
  }
  return spans;
}
