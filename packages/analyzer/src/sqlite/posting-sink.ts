// The RowSink of the import worker: rows are gathered into messages for the
// thread that owns the database. Nothing travels as a JS array of values:
// postMessage clones those at ~250 ns a value, which at 10M drops (15M
// values of _group, _who... rows) cost the worker more time than decoding
// its busiest block. Drops travel as a transferred Float64Array; other rows
// as a transferred Float64Array of their number values, with the few other
// values (strings, bigints, nulls) listed apart by position. A message is
// posted when it holds DROPS_PER_MESSAGE drops or VALUES_PER_MESSAGE other
// values.
import type { MessagePort } from 'node:worker_threads';
import { DROP_COLUMNS, SINK_TABLES, type DropRows, type RowSink, type SinkTable, type TableRows } from './db-writer.js';
import { send, type PackedTableRows, type RowsMessage } from './import-channel.js';

const DROPS_PER_MESSAGE = 16384;
const VALUES_PER_MESSAGE = 65536;

class PostedTable implements TableRows {
  numbers = new Float64Array(256);
  count = 0;
  otherAt: number[] = [];
  others: unknown[] = [];
  readonly #sink: PostingSink;

  constructor(sink: PostingSink) {
    this.#sink = sink;
  }

  add(...values: unknown[]): void {
    let n = this.count;
    if (n + values.length > this.numbers.length) {
      const bigger = new Float64Array(Math.max(this.numbers.length * 2, n + values.length));
      bigger.set(this.numbers.subarray(0, n));
      this.numbers = bigger;
    }
    const numbers = this.numbers;
    for (const v of values) {
      if (typeof v === 'number') {
        numbers[n] = v;
      } else if (v === null) {
        // SQLite stores a NaN as NULL anyway
        numbers[n] = NaN;
      } else {
        this.otherAt.push(n);
        this.others.push(v);
      }
      n++;
    }
    this.count = n;
    this.#sink.noteValues(values.length);
  }

  addNumbers(rows: Float64Array): void {
    const n = this.count;
    if (n + rows.length > this.numbers.length) {
      const bigger = new Float64Array(Math.max(this.numbers.length * 2, n + rows.length));
      bigger.set(this.numbers.subarray(0, n));
      this.numbers = bigger;
    }
    this.numbers.set(rows, n);
    this.count = n + rows.length;
    this.#sink.noteValues(rows.length);
  }

  /** The rows so far as they travel, leaving this table empty; null when it has none. */
  take(index: number): PackedTableRows | null {
    if (this.count === 0) return null;
    const rows: PackedTableRows = { table: index, numbers: this.numbers, count: this.count, otherAt: this.otherAt, others: this.others };
    // as much room as this table took: the busy ones fill a message each time
    this.numbers = new Float64Array(Math.min(this.numbers.length, 2 * VALUES_PER_MESSAGE));
    this.count = 0;
    this.otherAt = [];
    this.others = [];
    return rows;
  }
}

class PostedDrops implements DropRows {
  rows = new Float64Array(DROPS_PER_MESSAGE * DROP_COLUMNS);
  count = 0;
  bigTimes: Array<[number, bigint]> = [];
  readonly #sink: PostingSink;

  constructor(sink: PostingSink) {
    this.#sink = sink;
  }

  add(t: number | bigint, group: number, task: number, seqWin: number, ackLen: number): void {
    const o = this.count * DROP_COLUMNS;
    const r = this.rows;
    if (typeof t === 'bigint') {
      this.bigTimes.push([this.count, t]);
      r[o] = NaN;
    } else {
      r[o] = t;
    }
    r[o + 1] = group;
    r[o + 2] = task;
    r[o + 3] = seqWin;
    r[o + 4] = ackLen;
    if (++this.count === DROPS_PER_MESSAGE) this.#sink.flush();
  }

  addPacked(rows: Float64Array, count: number, bigTimes: ReadonlyArray<readonly [number, bigint]>): void {
    let next = 0;
    for (let from = 0; from < count; ) {
      const n = Math.min(DROPS_PER_MESSAGE - this.count, count - from);
      this.rows.set(rows.subarray(from * DROP_COLUMNS, (from + n) * DROP_COLUMNS), this.count * DROP_COLUMNS);
      for (; next < bigTimes.length && bigTimes[next]![0] < from + n; next++) this.bigTimes.push([this.count + bigTimes[next]![0] - from, bigTimes[next]![1]]);
      this.count += n;
      from += n;
      if (this.count === DROPS_PER_MESSAGE) this.#sink.flush();
    }
  }
}

export class PostingSink implements RowSink {
  readonly drops: PostedDrops;
  readonly #tables: PostedTable[];
  readonly #port: MessagePort;
  readonly #signal: Int32Array;
  #values = 0;
  #done = 0;
  #total = 0;

  constructor(port: MessagePort, signal: Int32Array) {
    this.#port = port;
    this.#signal = signal;
    this.drops = new PostedDrops(this);
    this.#tables = SINK_TABLES.map(() => new PostedTable(this));
  }

  table(name: SinkTable): TableRows {
    return this.#tables[SINK_TABLES.indexOf(name)]!;
  }

  noteValues(n: number): void {
    this.#values += n;
    if (this.#values >= VALUES_PER_MESSAGE) this.flush();
  }

  progress(done: number, total: number): void {
    this.#done = done;
    this.#total = total;
  }

  flush(): void {
    const d = this.drops;
    const tables: PackedTableRows[] = [];
    this.#tables.forEach((t, i) => {
      const rows = t.take(i);
      if (rows) tables.push(rows);
    });
    const msg: RowsMessage = {
      kind: 'rows',
      tables,
      drops: d.count > 0 ? d.rows : null,
      dropCount: d.count,
      bigTimes: d.bigTimes,
      done: this.#done,
      total: this.#total,
    };
    if (d.count > 0) d.rows = new Float64Array(DROPS_PER_MESSAGE * DROP_COLUMNS);
    d.count = 0;
    d.bigTimes = [];
    this.#values = 0;
    const transfer = tables.map((t) => t.numbers.buffer as ArrayBuffer);
    if (msg.drops) transfer.push(msg.drops.buffer as ArrayBuffer);
    send(this.#port, this.#signal, msg, transfer);
  }
}
