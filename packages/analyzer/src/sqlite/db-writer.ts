// Prepared statements and id counters for one import into one database.
// Ids are assigned here rather than read back from SQLite: cheaper, and the
// interners below can hand them out before the row is written.
import type Database from 'better-sqlite3';
import { relation, schemaDdl, SCHEMA_VERSION } from './schema.js';

/** Rows per multi-row INSERT: amortizes better-sqlite3's per-call cost. */
export const DROP_BATCH_ROWS = 128;
export const DROP_COLUMNS = relation('_drop').columns.length;

function insertSql(table: string, rows = 1): string {
  const n = relation(table).columns.length;
  const one = `(${new Array(n).fill('?').join(',')})`;
  return `INSERT INTO ${table} VALUES ${new Array(rows).fill(one).join(',')}`;
}

/**
 * Rows of one table written in multi-row INSERTs of `rows` rows: one call
 * into better-sqlite3 per batch instead of per row. flush() writes the rest.
 */
export class BatchInsert {
  readonly #many: Database.Statement;
  readonly #one: Database.Statement;
  readonly #columns: number;
  readonly #rows: number;
  readonly #args: unknown[];
  #n = 0;

  constructor(db: Database.Database, table: string, rows = 64) {
    this.#columns = relation(table).columns.length;
    this.#rows = rows;
    this.#args = new Array(rows * this.#columns);
    this.#many = db.prepare(insertSql(table, rows));
    this.#one = db.prepare(insertSql(table));
  }

  add(...values: unknown[]): void {
    const o = this.#n * this.#columns;
    for (let i = 0; i < this.#columns; i++) this.#args[o + i] = values[i];
    if (++this.#n === this.#rows) {
      this.#many.run(this.#args);
      this.#n = 0;
    }
  }

  flush(): void {
    for (let r = 0; r < this.#n; r++) this.#one.run(this.#args.slice(r * this.#columns, (r + 1) * this.#columns));
    this.#n = 0;
  }
}

export class DbWriter {
  readonly db: Database.Database;
  readonly dropMany: Database.Statement;
  readonly dropOne: Database.Statement;
  readonly who: BatchInsert;
  readonly what: Database.Statement;
  readonly flow: BatchInsert;
  readonly flowReason: BatchInsert;
  readonly aggTime: BatchInsert;
  readonly group: BatchInsert;
  readonly aggCapture: Database.Statement;
  readonly bigLen: Database.Statement;
  readonly task: Database.Statement;
  readonly addr: Database.Statement;
  readonly site: Database.Statement;
  readonly dev: Database.Statement;
  readonly reason: Database.Statement;
  readonly symbol: Database.Statement;
  readonly frame: Database.Statement;
  readonly callsite: Database.Statement;
  readonly frameList: Database.Statement;
  readonly capture: Database.Statement;
  readonly meta: Database.Statement;
  readonly stat: Database.Statement;
  readonly reasonEnum: Database.Statement;
  readonly iface: Database.Statement;
  readonly marker: Database.Statement;

  /** rowid of the next _drop row (SQLite numbers a fresh rowid table 1, 2, ...) */
  nextDropId = 1;
  nextGroupId = 1;
  nextWhoId = 1;
  nextWhatId = 1;
  nextTaskId = 1;
  nextAddrId = 1;
  nextSiteId = 1;
  nextDevId = 1;
  nextSymbolId = 1;
  nextFrameId = 1;
  nextCallsiteId = 1;

  constructor(db: Database.Database) {
    this.db = db;
    db.exec(schemaDdl());
    this.dropMany = db.prepare(insertSql('_drop', DROP_BATCH_ROWS));
    this.dropOne = db.prepare(insertSql('_drop'));
    this.who = new BatchInsert(db, '_who');
    this.what = db.prepare(insertSql('_what'));
    this.flow = new BatchInsert(db, '_flow');
    this.flowReason = new BatchInsert(db, '_flow_reason');
    this.aggTime = new BatchInsert(db, '_agg_time');
    this.group = new BatchInsert(db, '_group');
    this.aggCapture = db.prepare(insertSql('_agg_capture'));
    this.bigLen = db.prepare(insertSql('_big_len'));
    this.task = db.prepare(insertSql('_task'));
    this.addr = db.prepare(insertSql('_addr'));
    this.site = db.prepare(insertSql('_site'));
    this.dev = db.prepare(insertSql('_dev'));
    this.reason = db.prepare(insertSql('_reason'));
    this.symbol = db.prepare(insertSql('stack_symbol'));
    this.frame = db.prepare(insertSql('stack_frame'));
    this.callsite = db.prepare(insertSql('stack_callsite'));
    this.frameList = db.prepare(insertSql('_stack_frame_list'));
    this.capture = db.prepare(insertSql('captures'));
    this.meta = db.prepare(insertSql('meta'));
    this.stat = db.prepare(insertSql('stats'));
    this.reasonEnum = db.prepare(insertSql('reasons'));
    this.iface = db.prepare(insertSql('interfaces'));
    this.marker = db.prepare('INSERT OR REPLACE INTO _dropcap_db VALUES (?, ?)');
    this.marker.run('schema_version', String(SCHEMA_VERSION));
    this.marker.run('complete', '0');
  }
}
