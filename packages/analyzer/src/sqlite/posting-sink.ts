// The RowSink of the import worker: rows are gathered into messages for the
// thread that owns the database. Drops travel as a transferred Float64Array
// (no per-value cloning); other rows as flat arrays. A message is posted when
// it holds DROPS_PER_MESSAGE drops or VALUES_PER_MESSAGE other values.
import type { MessagePort } from 'node:worker_threads';
import { DROP_COLUMNS, SINK_TABLES, type DropRows, type RowSink, type SinkTable, type TableRows } from './db-writer.js';
import { send, type RowsMessage } from './import-channel.js';

const DROPS_PER_MESSAGE = 16384;
const VALUES_PER_MESSAGE = 65536;

class PostedTable implements TableRows {
  values: unknown[] = [];
  readonly #sink: PostingSink;

  constructor(sink: PostingSink) {
    this.#sink = sink;
  }

  add(...values: unknown[]): void {
    for (const v of values) this.values.push(v);
    this.#sink.noteValues(values.length);
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
    const tables: Array<[number, unknown[]]> = [];
    this.#tables.forEach((t, i) => {
      if (t.values.length > 0) tables.push([i, t.values]);
      t.values = [];
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
    send(this.#port, this.#signal, msg, msg.drops ? [msg.drops.buffer as ArrayBuffer] : []);
  }
}
