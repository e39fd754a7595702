/**
 * `--reason NAME` is checked against the reasons the captures know: reason
 * numbering and names come from each recording kernel's BTF, so only the
 * loaded database can tell a typo (`--reason no_sockt`) from a reason that
 * simply did not occur. A typo would otherwise match nothing, silently.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { NO_REASON_NAME } from '../decode/drop-row.js';
import { UsageError } from './errors.js';
import type { DropFilter } from './filters.js';

// What the drops view writes for a code the capture's enum does not name.
const UNKNOWN_REASON = /^UNKNOWN\(\d+\)$/;

/** Throws a UsageError for the first --reason name no capture's reason enum has. */
export function checkReasonNames(db: BetterSqlite3.Database, filter: DropFilter): void {
  if (filter.reasonNames.length === 0) return;
  const known = new Set(
    (db.prepare('SELECT DISTINCT upper(name) FROM reasons').pluck().all() as string[]).concat(NO_REASON_NAME.toUpperCase()),
  );
  const unknown = filter.reasonNames.find((name) => !known.has(name) && !UNKNOWN_REASON.test(name));
  if (unknown === undefined) return;
  throw new UsageError(
    `--reason ${JSON.stringify(unknown)} is not a drop reason of the recording kernel; list the names with: dropcap analyze query FILE "SELECT DISTINCT name FROM reasons"`,
  );
}
