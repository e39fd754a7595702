/**
 * Writes lines to a stream, waiting for 'drain' when the stream's buffer is
 * full, so listing millions of drops into a slow pipe keeps memory bounded.
 * A reader that goes away (`dropcap analyze list x | head`) ends the output
 * quietly instead of failing: EPIPE is how a pipe says "enough".
 */
import type { Writable } from 'node:stream';

/** What the writers need from a stream: Node's stdout, a file or a test sink. */
export type OutputStream = Pick<Writable, 'write' | 'once' | 'on' | 'off'> & { isTTY?: boolean };

/** Writes each line followed by `eol`; resolves false when the reader went away. */
export async function writeLines(lines: Iterable<string>, stream: OutputStream, eol = '\n'): Promise<boolean> {
  let closed = false;
  let failure: Error | undefined;
  const onError = (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') closed = true;
    else failure = err;
  };
  stream.on('error', onError);
  try {
    let chunk = '';
    for (const line of lines) {
      if (failure) throw failure;
      if (closed) return false;
      chunk += line + eol;
      // Batch small lines into ~64 KiB writes: one write per drop is slow.
      if (chunk.length >= 65536) {
        const more = stream.write(chunk);
        chunk = '';
        if (!more) await drainOrClose(stream, () => closed);
      }
    }
    if (failure) throw failure;
    if (chunk !== '' && !closed) stream.write(chunk);
    return !closed;
  } finally {
    stream.off('error', onError);
  }
}

// Waits until the stream can take more, or is closed or failed (the caller's
// own 'error' listener records EPIPE; other errors are rethrown).
function drainOrClose(stream: OutputStream, isClosed: () => boolean): Promise<void> {
  if (isClosed()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = (err?: NodeJS.ErrnoException) => {
      stream.off('drain', done);
      stream.off('close', done);
      stream.off('error', done);
      if (err && err.code !== 'EPIPE') reject(err);
      else resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
    stream.on('error', done);
  });
}
