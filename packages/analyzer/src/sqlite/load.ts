// loadCaptures: captures into SQLite, in memory by default. With dbPath the
// database is kept, and reused as is when it already holds exactly these
// files (same absolute path, size and mtime); otherwise it is rebuilt in a
// temporary file and renamed over, so a failed import never leaves a
// half-built database behind.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { AnalyzerError } from '../errors.js';
import { BulkTables } from './bulk-tables.js';
import { readCaptures, type CaptureInfo } from './captures.js';
import { identify, importCaptures, tunePragmasForImport, type ImportOptions, type ImportResult, type ImportThreads, type SourceIdentity } from './import.js';
import { SCHEMA_VERSION } from './schema.js';

export interface Analysis {
  db: Database.Database;
  captures: CaptureInfo[];
  warnings: string[];
  /** true when --db already held these captures and nothing was imported */
  reused: boolean;
  /** where the import decoded the captures (import.ts); null when reused */
  decodedIn: 'worker' | 'in-thread' | null;
  /** false when the drops have no _drop rows (LoadOptions.dropRows): only the import's counts can answer */
  dropRows: boolean;
}

export interface LoadOptions {
  dbPath?: string;
  /** bytes of capture read so far, of the total */
  onProgress?: (done: number, total: number) => void;
  /** where decoding runs (import.ts): default 'auto' */
  importThreads?: ImportThreads;
  /**
   * false: the drops are counted but get no _drop row, so the drops view is
   * empty and only the counts kept at import answer (the unfiltered summary).
   * Roughly halves an import. Only for an in-memory database: one kept with
   * dbPath always has every row. Default true.
   */
  dropRows?: boolean;
}

export function loadCaptures(paths: string[], opts: LoadOptions = {}): Analysis {
  if (paths.length === 0) throw new AnalyzerError('NO_CAPTURES', 'no capture file given; pass one or more .dcap files');
  if (!opts.dbPath) {
    const db = new Database(':memory:');
    tunePragmasForImport(db);
    const dropRows = opts.dropRows ?? true;
    const { warnings, decodedIn } = importCaptures(db, paths, importOptions(opts, dropRows));
    return { db, captures: readCaptures(db), warnings, reused: false, decodedIn, dropRows };
  }
  const reused = tryReuse(opts.dbPath, paths);
  if (reused) return reused;
  return rebuild(opts.dbPath, paths, opts);
}

/**
 * Summary queries scan millions of rows: a bigger page cache. temp_store
 * stays at its default so a large GROUP BY sorter spills to a temporary
 * file instead of growing memory without bound.
 */
function importOptions(opts: LoadOptions, dropRows: boolean): ImportOptions {
  return {
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    ...(opts.importThreads ? { threads: opts.importThreads } : {}),
    dropRows,
  };
}

function tuneForQueries(db: Database.Database): void {
  db.pragma('cache_size = -131072');
}

function notOurs(dbPath: string): AnalyzerError {
  return new AnalyzerError('NOT_A_DROPCAP_DB', `${dbPath} exists and is not a dropcap database; choose another --db path or remove it`);
}

/**
 * SQLite's own words ("unable to open database file", "Cannot open database
 * because the directory does not exist") name neither the path nor a fix.
 */
function cannotOpen(dbPath: string, err: unknown): AnalyzerError {
  const dir = path.dirname(path.resolve(dbPath));
  const why = !fs.existsSync(dir)
    ? `directory ${dir} does not exist; create it or choose another --db path`
    : `${(err as Error)?.message ?? String(err)}; choose a --db path in a directory you can write`;
  return new AnalyzerError('DB_UNUSABLE', `cannot create the --db database ${dbPath}: ${why}`, { cause: err });
}

function marker(db: Database.Database, key: string): string | undefined {
  const row = db.prepare('SELECT value FROM _dropcap_db WHERE key = ?').get(key) as { value: string } | undefined;
  return row?.value;
}

function sameSources(a: SourceIdentity[], b: SourceIdentity[]): boolean {
  return a.length === b.length && a.every((x, i) => x.path === b[i]!.path && x.size === b[i]!.size && x.mtimeNs === b[i]!.mtimeNs);
}

function tryReuse(dbPath: string, paths: string[]): Analysis | null {
  if (!fs.existsSync(dbPath)) return null;
  let db: Database.Database;
  try {
    db = new Database(dbPath, { fileMustExist: true });
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
    if (!tables.includes('_dropcap_db')) {
      db.close();
      if (tables.length > 0) throw notOurs(dbPath);
      return null;
    }
  } catch (err) {
    if (err instanceof AnalyzerError) throw err;
    // a file SQLite cannot open at all (no read permission) is not shown to be foreign: do not say "remove it"
    if ((err as { code?: unknown }).code === 'SQLITE_CANTOPEN') {
      const why = `${(err as Error).message}; check its permissions or choose another --db path`;
      throw new AnalyzerError('DB_UNUSABLE', `cannot open the --db database ${dbPath}: ${why}`, { cause: err });
    }
    throw notOurs(dbPath); // "file is not a database" and the like
  }
  const wanted = paths.map(identify);
  let stored: SourceIdentity[] = [];
  try {
    stored = JSON.parse(marker(db, 'sources') ?? '[]') as SourceIdentity[];
  } catch {
    stored = [];
  }
  if (marker(db, 'schema_version') !== String(SCHEMA_VERSION) || marker(db, 'complete') !== '1' || marker(db, 'drop_rows') === '0' || !sameSources(stored, wanted)) {
    db.close();
    return null;
  }
  let warnings: string[] = [];
  try {
    warnings = JSON.parse(marker(db, 'warnings') ?? '[]') as string[];
  } catch {
    warnings = [];
  }
  tuneForQueries(db);
  return { db, captures: readCaptures(db), warnings, reused: true, decodedIn: null, dropRows: true };
}

/**
 * Side files for the bulk tables' pages (bulk-tables.ts), when the fresh
 * database has the plain page layout they are written for: no auto_vacuum
 * (it would need pointer-map pages). Else null, and SQLite takes every row.
 */
function bulkTablesFor(db: Database.Database, dbFile: string): BulkTables | null {
  if (db.pragma('auto_vacuum', { simple: true }) !== 0) return null;
  return new BulkTables(dbFile, db.pragma('page_size', { simple: true }) as number);
}

function rootPages(db: Database.Database): Map<string, number> {
  const rows = db.prepare("SELECT name, rootpage FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string; rootpage: number }>;
  return new Map(rows.map((r) => [r.name, r.rootpage]));
}

function rebuild(dbPath: string, paths: string[], opts: LoadOptions): Analysis {
  const tmp = `${dbPath}.importing-${process.pid}`;
  fs.rmSync(tmp, { force: true });
  let result: ImportResult;
  let bulk: BulkTables | null = null;
  let roots = new Map<string, number>();
  try {
    let db: Database.Database;
    try {
      db = new Database(tmp);
    } catch (err) {
      throw cannotOpen(dbPath, err);
    }
    // like the captures, the database holds kernel addresses: owner only
    fs.chmodSync(tmp, 0o600);
    try {
      tunePragmasForImport(db);
      bulk = bulkTablesFor(db, tmp);
      result = importCaptures(db, paths, { ...importOptions(opts, true), ...(bulk ? { bulk } : {}) });
      roots = rootPages(db);
    } finally {
      db.close();
    }
    bulk?.splice(tmp, roots);
    fs.renameSync(tmp, dbPath);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  } finally {
    bulk?.remove();
  }
  const db = new Database(dbPath, { fileMustExist: true });
  tuneForQueries(db);
  return { db, captures: readCaptures(db), warnings: result.warnings, reused: false, decodedIn: result.decodedIn, dropRows: true };
}
