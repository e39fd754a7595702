// Prepared statements and id counters for one import into one database.
// Ids are assigned here rather than read back from SQLite: cheaper, and the
// interners below can hand them out before the row is written.
import type Database from 'better-sqlite3';
import { relation, schemaDdl, SCHEMA_VERSION } from './schema.js';

/** Rows per multi-row INSERT: amortizes better-sqlite3's per-call cost. */
export const DROP_BATCH_ROWS = 64;
export const DROP_COLUMNS = relation('_drop').columns.length;

function insertSql(table: string, rows = 1): string {
  const n = relation(table).columns.length;
  const one = `(${new Array(n).fill('?').join(',')})`;
  return `INSERT INTO ${table} VALUES ${new Array(rows).fill(one).join(',')}`;
}

export class DbWriter {
  readonly db: Database.Database;
  readonly dropMany: Database.Statement;
  readonly dropOne: Database.Statement;
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
