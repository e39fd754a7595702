// The import worker's job: the whole import, its rows posted to the thread
// that owns the database.
import type { MessagePort } from 'node:worker_threads';
import { DbWriter, type WriterOptions } from './db-writer.js';
import { PostingSink } from './posting-sink.js';
import { writeCaptures } from './write-captures.js';

export function runImportJob(port: MessagePort, signal: Int32Array, paths: string[], writer: WriterOptions): string[] {
  const sink = new PostingSink(port, signal);
  const warnings = writeCaptures(new DbWriter(sink, writer), paths);
  sink.flush();
  return warnings;
}
