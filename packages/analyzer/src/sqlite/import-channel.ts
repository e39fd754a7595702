// The wire between the import worker (decodes, interns, produces rows) and
// the thread that owns the database (binds them into SQLite). Messages go
// through a MessagePort; two counters in shared memory let the receiver
// block until a message is there (Atomics.wait) and the sender block while
// too many are in flight, so memory stays bounded whichever side is slower.
// No imports beyond node's own: the worker's entry loads this before anything
// that could fail to load, so that such a failure still reaches the receiver.
import type { MessagePort } from 'node:worker_threads';

/**
 * Rows of one table, flat (columns of row 0, then row 1, ...): value i is
 * others[k] when otherAt[k] === i (a string or bigint), else numbers[i],
 * where NaN stands for null (as SQLite stores a NaN).
 */
export interface PackedTableRows {
  /** index in SINK_TABLES */
  table: number;
  /** transferred, not copied; only the first `count` are values */
  numbers: Float64Array;
  count: number;
  /** ascending positions of the values that are not numbers */
  otherAt: number[];
  others: unknown[];
}

/** Calls `onRow` once per row of `rows`, with `row` (reused) holding its `columns` values; NaN read as null. */
export function forEachPackedRow(rows: PackedTableRows, columns: number, row: unknown[], onRow: (row: unknown[]) => void): void {
  const { numbers, count, otherAt, others } = rows;
  let next = otherAt.length > 0 ? otherAt[0]! : -1;
  let k = 0;
  for (let v = 0; v < count; ) {
    for (let i = 0; i < columns; i++, v++) {
      if (v === next) {
        row[i] = others[k++];
        next = k < otherAt.length ? otherAt[k]! : -1;
      } else {
        const x = numbers[v]!;
        row[i] = x === x ? x : null;
      }
    }
    onRow(row);
  }
}

export interface RowsMessage {
  kind: 'rows';
  /** a table's rows in the order they were made */
  tables: PackedTableRows[];
  /** `dropCount` drops of DROP_COLUMNS doubles each (transferred, not copied) */
  drops: Float64Array | null;
  dropCount: number;
  /** [row, time] of the drops whose time a double cannot hold (NaN in `drops`) */
  bigTimes: Array<[number, bigint]>;
  done: number;
  total: number;
}

export interface DoneMessage {
  kind: 'done';
  warnings: string[];
}

export interface ErrorMessage {
  kind: 'error';
  name: string;
  code: string | undefined;
  message: string;
  stack: string | undefined;
}

export type ImportMessage = RowsMessage | DoneMessage | ErrorMessage;

/** Indexes into the shared Int32Array. */
export const POSTED = 0;
export const TAKEN = 1;
/** EVENTS blocks the worker has read so far (block-prefetch.ts keeps a few ahead of it) */
export const CONSUMED = 2;
/** Messages the worker may be ahead by (each up to ~1 MiB of drops). */
export const MAX_IN_FLIGHT = 8;

export function newSignal(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT));
}

export function errorMessage(err: unknown): ErrorMessage {
  const e = err instanceof Error ? err : new Error(String(err));
  const code = (e as { code?: unknown }).code;
  return { kind: 'error', name: e.name, code: typeof code === 'string' ? code : undefined, message: e.message, stack: e.stack };
}

/** Posts a message, then waits while the receiver is MAX_IN_FLIGHT messages behind. */
export function send(port: MessagePort, signal: Int32Array, msg: ImportMessage, transfer: ArrayBuffer[] = []): void {
  port.postMessage(msg, transfer);
  Atomics.add(signal, POSTED, 1);
  Atomics.notify(signal, POSTED);
  for (;;) {
    const taken = Atomics.load(signal, TAKEN);
    if (Atomics.load(signal, POSTED) - taken < MAX_IN_FLIGHT) return;
    Atomics.wait(signal, TAKEN, taken, 1000);
  }
}
