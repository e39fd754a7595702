// The database's side of a worker import: starts the worker, then blocks
// (synchronously, like the rest of better-sqlite3) taking its messages and
// binding their rows, until it says done or sends an error.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MessageChannel, Worker, receiveMessageOnPort } from 'node:worker_threads';
import { CaptureFormatError, type CaptureFormatErrorCode } from '@dropcap/format';
import { AnalyzerError, type AnalyzerErrorCode } from '../errors.js';
import { BlockPrefetcher } from './block-prefetch.js';
import { newSignal, POSTED, TAKEN, type ErrorMessage, type ImportMessage, type RowsMessage } from './import-channel.js';
import type { WriterOptions } from './db-writer.js';
import type { SqlSink } from './sql-sink.js';

/** A worker silent this long has died in a way it could not report (its heap, say). */
const STALL_MS = 120_000;

/** The worker's compiled script, or null when running from sources (tests run the import in-thread). */
export function importWorkerScript(): URL | null {
  const url = new URL('./import-worker.js', import.meta.url);
  return url.protocol === 'file:' && fs.existsSync(fileURLToPath(url)) ? url : null;
}

/** The worker's error as the same typed error the import throws in-thread. */
function rebuildError(m: ErrorMessage): Error {
  let err: Error;
  if (m.name === 'AnalyzerError' && m.code) err = new AnalyzerError(m.code as AnalyzerErrorCode, m.message);
  else if (m.name === 'CaptureFormatError' && m.code) err = new CaptureFormatError(m.code as CaptureFormatErrorCode, m.message);
  else {
    err = new Error(m.message);
    err.name = m.name;
  }
  if (m.stack) err.stack = m.stack;
  return err;
}

/** Binds one message's rows. */
export function applyRows(sink: SqlSink, m: RowsMessage): void {
  for (const rows of m.tables) sink.addPacked(rows);
  if (m.drops) sink.drops.addPacked(m.drops, m.dropCount, m.bigTimes);
  sink.progress(m.done, m.total);
}

export function importInWorker(script: URL, sink: SqlSink, paths: string[], writer: WriterOptions): string[] {
  const signal = newSignal();
  const { port1, port2 } = new MessageChannel();
  const blocks = new MessageChannel();
  const worker = new Worker(script, {
    workerData: { port: port2, prefetch: blocks.port2, signal, paths, writer },
    transferList: [port2, blocks.port2],
  });
  const prefetcher = new BlockPrefetcher(paths, blocks.port1, signal);
  let taken = 0;
  let quietSince = Date.now();
  try {
    for (;;) {
      const got = receiveMessageOnPort(port1);
      if (!got) {
        if (Date.now() - quietSince > STALL_MS) throw new AnalyzerError('IMPORT_FAILED', `the import worker stopped answering for ${STALL_MS / 1000} s; retry, or report the capture that causes it`);
        // nothing to bind: decode a block ahead for the worker, else block
        // until it posts (it bumps POSTED after each message)
        if (!prefetcher.step()) Atomics.wait(signal, POSTED, taken, 1000);
        continue;
      }
      taken++;
      quietSince = Date.now();
      Atomics.store(signal, TAKEN, taken);
      Atomics.notify(signal, TAKEN);
      const m = got.message as ImportMessage;
      if (m.kind === 'rows') {
        applyRows(sink, m);
      } else if (m.kind === 'done') {
        sink.flush();
        return m.warnings;
      } else {
        throw rebuildError(m);
      }
    }
  } finally {
    prefetcher.close();
    port1.close();
    void worker.terminate();
  }
}
