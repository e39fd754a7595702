// Imports capture files into a fresh database, in one transaction. Decoding
// and binding rows into SQLite each take about half of a big import, so a
// big one is split across two threads: a worker decodes and interns
// (write-captures.ts into a PostingSink), this thread binds the rows it
// sends (SqlSink). Smaller captures are imported in this thread.
import fs from 'node:fs';
import type Database from 'better-sqlite3';
import type { BulkTables } from './bulk-tables.js';
import { DbWriter, type WriterOptions } from './db-writer.js';
import { importInWorker, importWorkerScript } from './import-host.js';
import { SqlSink } from './sql-sink.js';
import { writeCaptures } from './write-captures.js';

export { identify, type SourceIdentity } from './write-captures.js';

/** 'auto': a worker from WORKER_MIN_BYTES of captures on, when the built worker script is there. */
export type ImportThreads = 'auto' | 'worker' | 'in-thread';

/**
 * Below this the worker costs more than it saves: its start-up, a second
 * module load and JIT warm-up, and the messages (~0.15 s in all) outweigh
 * the overlap. Measured on 2 vCPUs: a 300k-drop storm (1.5 MB) 15% slower in
 * a worker, 1M diverse drops (22 MB) even, 10M (219 MB) 24% faster.
 */
export const WORKER_MIN_BYTES = 8 * 1024 * 1024;

export function tunePragmasForImport(db: Database.Database): void {
  // the database is rebuilt from the captures if anything goes wrong: no journal needed
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  // nobody else may read a half-built file; saves the lock calls per page write
  db.pragma('locking_mode = EXCLUSIVE');
  db.pragma('cache_size = -65536');
}

function totalBytes(paths: string[]): number {
  let n = 0;
  for (const p of paths) {
    try {
      n += fs.statSync(p).size;
    } catch {
      // the reader reports a missing or unreadable file with its own error
    }
  }
  return n;
}

export interface ImportResult {
  warnings: string[];
  /** where the captures were decoded */
  decodedIn: 'worker' | 'in-thread';
}

export interface ImportOptions extends WriterOptions {
  onProgress?: (done: number, total: number) => void;
  /** default 'auto' */
  threads?: ImportThreads;
  /** the bulk tables' rows go to these pages, not into SQLite (bulk-tables.ts) */
  bulk?: BulkTables;
}

export function importCaptures(db: Database.Database, paths: string[], opts: ImportOptions = {}): ImportResult {
  const { onProgress, threads = 'auto', bulk, ...writer } = opts;
  const sink = new SqlSink(db, onProgress, bulk);
  const script = threads === 'in-thread' ? null : importWorkerScript();
  if (threads === 'worker' && !script) throw new Error('the import worker is not built (npm run build)');
  const useWorker = script !== null && (threads === 'worker' || totalBytes(paths) >= WORKER_MIN_BYTES);
  return db.transaction((): ImportResult => {
    if (useWorker) return { warnings: importInWorker(script, sink, paths, writer), decodedIn: 'worker' };
    const warnings = writeCaptures(new DbWriter(sink, writer), paths);
    sink.flush();
    return { warnings, decodedIn: 'in-thread' };
  })();
}
