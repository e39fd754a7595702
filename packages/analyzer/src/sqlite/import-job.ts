// The import worker's job: the whole import, its rows posted to the thread
// that owns the database, taking the EVENTS blocks that thread decoded for it
// while it waited (block-prefetch.ts).
import type { MessagePort } from 'node:worker_threads';
import { DbWriter, type WriterOptions } from './db-writer.js';
import { PrefetchedBodies } from './block-prefetch.js';
import { PostingSink } from './posting-sink.js';
import { writeCaptures } from './write-captures.js';

export function runImportJob(port: MessagePort, prefetch: MessagePort, signal: Int32Array, paths: string[], writer: WriterOptions): string[] {
  const sink = new PostingSink(port, signal);
  const bodies = new PrefetchedBodies(prefetch, signal);
  const warnings = writeCaptures(new DbWriter(sink, writer), paths, (capture) => bodies.forCapture(capture));
  sink.flush();
  return warnings;
}
