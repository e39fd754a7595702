// SQL over the counts kept during the import (_what, _flow, _flow_reason,
// _agg_time, _agg_capture) that answers what the summary asks of the drops
// view, without a scan of _drop: each statement reads thousands of rows, not
// millions. Grouping is done on ids; names are looked up per group.
// test/unit/analyzer-aggregates.test.ts checks each one against the same
// question asked of the drops view.
import { reasonNameSql } from './schema.js';

/**
 * `tcp_v4_rcv+0x91` -> `tcp_v4_rcv`, over a column named location: the
 * summary groups drop sites by function, since offsets differ between call
 * sites of one function only in detail.
 */
export const SITE_FUNCTION = "CASE WHEN instr(location, '+') > 0 THEN substr(location, 1, instr(location, '+') - 1) ELSE location END";

/** _what rows with drops, with the reason, subsystem and location the drops view shows for them. */
const WHATS = `(SELECT w.what_id, w.stack_id, w.drops, ${reasonNameSql('w')} AS reason, w.reason_code,
    COALESCE((SELECT subsystem FROM _reason WHERE capture_id = w.capture_id AND code = w.reason_code), 'CORE') AS subsystem,
    (SELECT name FROM _site WHERE site_id = w.site_id) AS location
  FROM _what w WHERE w.drops > 0)`;

/** The drops view's reason text for a row `x` holding capture_id, reason_code and no_reason. */
const reasonNameOf = (x: string) => `CASE WHEN ${x}.no_reason THEN 'NO_REASON' ELSE COALESCE(
    (SELECT name FROM _reason r WHERE r.capture_id = ${x}.capture_id AND r.code = ${x}.reason_code), 'UNKNOWN(' || ${x}.reason_code || ')') END`;
const FLOW_REASON_NAME = reasonNameOf('fr');

export const AGG = {
  /** drops, reasons, sites, flows, with_stack: as COUNT(*), COUNT(DISTINCT ...) over drops. */
  totals: `SELECT
      (SELECT COALESCE(SUM(drops), 0) FROM _agg_capture) AS drops,
      (SELECT COUNT(DISTINCT reason) FROM ${WHATS}) AS reasons,
      (SELECT COUNT(DISTINCT ${SITE_FUNCTION}) FROM ${WHATS}) AS sites,
      (SELECT COUNT(*) FROM _flow WHERE drops > 0) AS flows,
      (SELECT COALESCE(SUM(drops), 0) FROM _what WHERE stack_id IS NOT NULL) AS with_stack`,
  allDrops: 'SELECT COALESCE(SUM(drops), 0) AS n FROM _agg_capture',
  topReasons: `SELECT reason, reason_code, MIN(subsystem) AS subsystem, SUM(drops) AS drops
      FROM ${WHATS} GROUP BY reason, reason_code ORDER BY drops DESC, reason LIMIT ?`,
  topSites: `SELECT ${SITE_FUNCTION} AS function, SUM(drops) AS drops, group_concat(DISTINCT reason) AS reasons
      FROM ${WHATS} GROUP BY 1 ORDER BY drops DESC, function LIMIT ?`,
  /** The drops of the N-th biggest flow: only flows with at least this many can be in the top N. */
  flowThreshold: 'SELECT drops FROM _flow WHERE drops > 0 ORDER BY drops DESC LIMIT 1 OFFSET ?',
  topFlows: `SELECT (SELECT text FROM _addr WHERE addr_id = f.saddr_id) AS saddr, f.sport,
        (SELECT text FROM _addr WHERE addr_id = f.daddr_id) AS daddr, f.dport, f.drops,
        (SELECT group_concat(DISTINCT ${FLOW_REASON_NAME}) FROM _flow_reason fr WHERE fr.flow_id = f.flow_id) AS reasons
      FROM _flow f WHERE f.drops >= ? AND f.drops > 0 ORDER BY f.drops DESC, saddr, f.sport, daddr, f.dport LIMIT ?`,
  topStacks: `SELECT stack_id, SUM(drops) AS drops, MIN(location) AS location
      FROM ${WHATS} WHERE stack_id IS NOT NULL GROUP BY stack_id ORDER BY drops DESC, stack_id LIMIT ?`,
  timeRange: 'SELECT MIN(first_ns) AS first, MAX(last_ns) AS last FROM _agg_capture WHERE drops > 0',
  /** Widths of the fine time buckets of captures with drops (NULL: not kept). */
  bucketWidths: 'SELECT bucket_ns FROM _agg_capture WHERE drops > 0',
  /** (bucket, reason, n) of every drop; params: start, width. */
  timeBuckets: `SELECT (t.bucket_start_ns - ?) / ? AS bucket, ${reasonNameOf('t')} AS reason, SUM(t.drops) AS n
      FROM _agg_time t GROUP BY 1, 2`,
} as const;

/**
 * (bucket, reason, n) of the drops in the groups of _drop_groups matching
 * `where`: one pass over _drop, each drop's group probed in the set of
 * matching groups. Params: start, width, then the filter's.
 */
export function groupsTimelineSql(where: string): string {
  return `SELECT g.bucket, ${reasonNameOf('g')} AS reason, SUM(g.n) AS n FROM (
      SELECT (w.time_base + d.t - ?) / ? AS bucket, w.capture_id, w.reason_code, (w.flags >> 4) & 1 AS no_reason, COUNT(*) AS n
        FROM _drop d JOIN _group w ON w.group_id = d.group_id
       WHERE d.group_id IN (SELECT group_id FROM _drop_groups WHERE ${where})
       GROUP BY 1, 2, 3, 4) g
    GROUP BY 1, 2`;
}
