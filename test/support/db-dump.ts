// A database's content as comparable text: every table of the schema, its
// rows sorted, integers kept exact. Two imports are the same when their dumps are.
import type Database from 'better-sqlite3';

export function dumpTables(db: Database.Database): Record<string, string[]> {
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[];
  const out: Record<string, string[]> = {};
  for (const t of tables) {
    const rows = db.prepare(`SELECT * FROM "${t}"`).raw().safeIntegers(true).all() as unknown[][];
    out[t] = rows.map((r) => JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))).sort();
  }
  return out;
}

/** The dump without the rows that name the database's own sources (paths differ between two imports of one file). */
export function dumpWithoutSources(db: Database.Database): Record<string, string[]> {
  const d = dumpTables(db);
  d._dropcap_db = (d._dropcap_db ?? []).filter((r) => !r.startsWith('["sources"'));
  return d;
}
