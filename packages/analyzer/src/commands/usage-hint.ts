/**
 * yargs' own usage errors (an invalid --format, an unknown flag, a flag
 * missing its value) would reach the binary's top-level handler, which
 * points at `dropcap --help`: the help of every command but the one at
 * fault. Each analyze command registers this handler in its builder, so the
 * error names that command's help instead. yargs runs the innermost
 * command's handler first; throwing stops the others.
 */
import type { Argv } from 'yargs';
import { UsageError } from './errors.js';

/** `help`: the command line that shows the right help, e.g. `dropcap analyze list --help`. */
export function withUsageHint<T>(yargs: Argv<T>, help: string): Argv<T> {
  return yargs.fail((message, err) => {
    // an error of ours (or a failed import) passes through unchanged; a
    // YError is yargs' parser refusing the arguments: a usage error too
    if (err && err.name !== 'YError') throw err;
    // "Invalid values:\n  Argument: ..." becomes one line
    const text = (message ?? err?.message ?? 'invalid arguments').replace(/\s*\n\s*/g, ' ');
    throw new UsageError(`${text}; see '${help}'`);
  });
}
