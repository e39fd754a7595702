// Entry of the import worker thread (started by import-host.ts): runs the
// import into a PostingSink, then says done, or sends the error. The job is
// loaded dynamically so that even a failure to load it reaches the thread
// waiting for rows, which cannot see the worker's own 'error' event while
// it blocks.
import { workerData, type MessagePort } from 'node:worker_threads';
import { errorMessage, send } from './import-channel.js';
import type { WriterOptions } from './db-writer.js';

const { port, prefetch, signal, paths, writer } = workerData as {
  port: MessagePort;
  prefetch: MessagePort;
  signal: Int32Array;
  paths: string[];
  writer: WriterOptions;
};
try {
  const { runImportJob } = await import('./import-job.js');
  send(port, signal, { kind: 'done', warnings: runImportJob(port, prefetch, signal, paths, writer) });
} catch (err) {
  send(port, signal, errorMessage(err));
} finally {
  port.close();
  prefetch.close();
}
