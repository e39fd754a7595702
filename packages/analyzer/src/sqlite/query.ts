// Read-only execution of user SQL (`dropcap analyze query`). Layers:
// better-sqlite3 prepares exactly one statement; it must return rows
// (stmt.reader) and be read-only (sqlite3_stmt_readonly); ATTACH, PRAGMA and
// extension loading are refused by name; and the connection runs with
// query_only on, so even a statement that slipped through cannot write.
// The SQL function load_extension() stays disabled: better-sqlite3 enables
// only the C API for db.loadExtension(), never the SQL function.
import type Database from 'better-sqlite3';
import { AnalyzerError } from '../errors.js';

export interface QueryResult {
  columns: string[];
  /** integers as bigint (time_ns exceeds 2^53), text as string, blobs as Buffer */
  rows: unknown[][];
}

/** Puts the connection in read-only mode for user queries. */
export function applySafetyLimits(db: Database.Database): void {
  db.unsafeMode(false);
  db.pragma('query_only = ON');
}

/** SQL with comments and string literals blanked, so keyword checks see only code. */
function codeOnly(sql: string): string {
  return sql
    .replace(/'(?:[^']|'')*'/g, "''")
    .replace(/--[^\n]*/g, ' ')
    .replace(/\/\*[\s\S]*?(\*\/|$)/g, ' ');
}

function refuse(why: string): never {
  throw new AnalyzerError('QUERY_REFUSED', `query refused: ${why}; queries are read-only (SELECT, WITH ... SELECT, EXPLAIN)`);
}

export function runUserQuery(db: Database.Database, sql: string): QueryResult {
  const code = codeOnly(sql);
  // anchored: `SELECT attach FROM captures` names a column; prepare() refuses a second statement
  if (/^\s*(ATTACH|DETACH)\b/i.test(code)) refuse('ATTACH and DETACH are not allowed');
  if (/\bload_extension\b/i.test(code)) refuse('extensions cannot be loaded');
  if (/^\s*PRAGMA\b/i.test(code)) refuse('PRAGMA statements are not allowed (use the pragma_* table-valued functions in a SELECT)');
  applySafetyLimits(db);
  let stmt: Database.Statement;
  try {
    stmt = db.prepare(sql);
  } catch (err) {
    throw new AnalyzerError('QUERY_FAILED', `query failed: ${(err as Error).message}`, { cause: err });
  }
  if (!stmt.reader) refuse('the statement returns no rows');
  if (!stmt.readonly) refuse('the statement would modify the database');
  try {
    const columns = stmt.columns().map((c) => c.name);
    const rows = stmt.raw(true).safeIntegers(true).all() as unknown[][];
    return { columns, rows };
  } catch (err) {
    throw new AnalyzerError('QUERY_FAILED', `query failed: ${(err as Error).message}`, { cause: err });
  }
}
