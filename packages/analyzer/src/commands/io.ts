/**
 * Where a command writes and what environment it reads. Handlers take it as
 * a parameter (the exported commands bind it to the process) so tests run
 * commands in-process against in-memory streams.
 */
import type { OutputStream } from '../output/write-lines.js';

export interface CommandIO {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export function processIO(): CommandIO {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env };
}
