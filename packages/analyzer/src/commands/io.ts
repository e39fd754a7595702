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

let epipeGuarded = false;

export function processIO(): CommandIO {
  // `dropcap analyze list x | head` closes the pipe early. writeLines stops
  // on EPIPE while it writes; a late EPIPE (the reader left after our last
  // write) would otherwise be an unhandled 'error' event and a stack trace.
  if (!epipeGuarded) {
    epipeGuarded = true;
    process.stdout.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
    });
  }
  return { stdout: process.stdout, stderr: process.stderr, env: process.env };
}
