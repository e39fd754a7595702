// What an import writes, table by table, and the ids it hands out. Ids are
// assigned here rather than read back from SQLite: cheaper, and the
// interners can hand them out before the row is written. Where the rows go
// is a RowSink's business: straight into SQLite (sql-sink.ts) or across to
// the thread that owns the database (posting-sink.ts).
import { relation, SCHEMA_VERSION } from './schema.js';

/** Every table an import writes, in one fixed order (a table's index travels between threads). */
export const SINK_TABLES = [
  '_who', '_what', '_flow', '_flow_reason', '_agg_time', '_group', '_group_count', '_agg_capture', '_big_len', '_task', '_addr',
  '_site', '_dev', '_reason', 'stack_symbol', 'stack_frame', 'stack_callsite', '_stack_frame_list', 'captures',
  'meta', 'stats', 'reasons', 'interfaces', '_dropcap_db',
] as const;
export type SinkTable = (typeof SINK_TABLES)[number];

export const DROP_COLUMNS = relation('_drop').columns.length;

/** Rows of one table, columns in schema order. Written in order; when is up to the sink. */
export interface TableRows {
  add(...values: unknown[]): void;
  /** Whole rows (one or more, one after another) of numbers only, NaN for NULL: for the import's busiest tables. */
  addNumbers(rows: Float64Array): void;
}

/** The per-drop rows (_drop): the bulk of an import, so typed columns, no rest parameters. */
export interface DropRows {
  add(t: number | bigint, group: number, task: number, seqWin: number, ackLen: number): void;
  /**
   * `count` rows of DROP_COLUMNS doubles; a time a double cannot hold
   * exactly is NaN there and given in `bigTimes` (row, time), rows in order.
   */
  addPacked(rows: Float64Array, count: number, bigTimes: ReadonlyArray<readonly [number, bigint]>): void;
}

/**
 * Gives `target` the drops packed by a PostingSink: `count` rows of
 * DROP_COLUMNS doubles; a time a double cannot hold exactly is NaN there and
 * given in `bigTimes` (row, time).
 */
export function addPackedDrops(target: DropRows, rows: Float64Array, count: number, bigTimes: ReadonlyArray<readonly [number, bigint]>): void {
  let next = 0;
  for (let r = 0, o = 0; r < count; r++, o += DROP_COLUMNS) {
    let t: number | bigint = rows[o]!;
    if (t !== t && next < bigTimes.length && bigTimes[next]![0] === r) t = bigTimes[next++]![1];
    target.add(t, rows[o + 1]!, rows[o + 2]!, rows[o + 3]!, rows[o + 4]!);
  }
}

/**
 * Drops decoded and counted (groups, timeline, totals) but given no _drop
 * row, nor the _task and _big_len rows only a _drop row refers to: for a
 * command that needs only the counts the import keeps anyway, the
 * unfiltered summary, and no database left behind. A row costs ~0.65 µs to
 * bind, more than half of what a drop costs to import.
 */
const UNWRITTEN_DROPS: DropRows = { add() {}, addPacked() {} };

export interface WriterOptions {
  /** false: no _drop rows (see UNWRITTEN_DROPS); the database records it. Default true. */
  dropRows?: boolean;
}

export interface RowSink {
  table(name: SinkTable): TableRows;
  readonly drops: DropRows;
  /** How far the import has read (bytes of capture, of the total), for a progress bar. */
  progress(done: number, total: number): void;
  /** Writes everything still held. */
  flush(): void;
}

export class DbWriter {
  readonly sink: RowSink;
  readonly drops: DropRows;
  readonly who: TableRows;
  readonly what: TableRows;
  readonly flow: TableRows;
  readonly flowReason: TableRows;
  readonly aggTime: TableRows;
  /** _group rows, the time base given as a number (an exact double: a multiple of TIME_BASE_UNIT) */
  readonly group: TableRows;
  readonly groupCount: TableRows;
  readonly aggCapture: TableRows;
  readonly bigLen: TableRows;
  readonly task: TableRows;
  readonly addr: TableRows;
  readonly site: TableRows;
  readonly dev: TableRows;
  readonly reason: TableRows;
  readonly symbol: TableRows;
  readonly frame: TableRows;
  readonly callsite: TableRows;
  readonly frameList: TableRows;
  readonly capture: TableRows;
  readonly meta: TableRows;
  readonly stat: TableRows;
  readonly reasonEnum: TableRows;
  readonly iface: TableRows;
  /** _dropcap_db: key/value, a later value replaces an earlier one */
  readonly marker: TableRows;

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

  /** whether drops get _drop rows (WriterOptions.dropRows) */
  readonly dropRows: boolean;

  constructor(sink: RowSink, opts: WriterOptions = {}) {
    const dropRows = opts.dropRows ?? true;
    this.dropRows = dropRows;
    this.sink = sink;
    this.drops = dropRows ? sink.drops : UNWRITTEN_DROPS;
    this.who = sink.table('_who');
    this.what = sink.table('_what');
    this.flow = sink.table('_flow');
    this.flowReason = sink.table('_flow_reason');
    this.aggTime = sink.table('_agg_time');
    this.group = sink.table('_group');
    this.groupCount = sink.table('_group_count');
    this.aggCapture = sink.table('_agg_capture');
    this.bigLen = sink.table('_big_len');
    this.task = sink.table('_task');
    this.addr = sink.table('_addr');
    this.site = sink.table('_site');
    this.dev = sink.table('_dev');
    this.reason = sink.table('_reason');
    this.symbol = sink.table('stack_symbol');
    this.frame = sink.table('stack_frame');
    this.callsite = sink.table('stack_callsite');
    this.frameList = sink.table('_stack_frame_list');
    this.capture = sink.table('captures');
    this.meta = sink.table('meta');
    this.stat = sink.table('stats');
    this.reasonEnum = sink.table('reasons');
    this.iface = sink.table('interfaces');
    this.marker = sink.table('_dropcap_db');
    this.marker.add('schema_version', String(SCHEMA_VERSION));
    this.marker.add('complete', '0');
    this.marker.add('drop_rows', dropRows ? '1' : '0');
  }
}
