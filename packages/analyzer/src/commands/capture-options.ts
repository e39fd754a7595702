/**
 * What every command that reads captures shares: the FILE... positional,
 * `--db`, and opening the captures into SQLite with a progress bar on a
 * terminal and the loader's warnings on stderr.
 */
import type { Argv } from 'yargs';
import { loadCaptures, type Analysis } from '../sqlite/load.js';
import { createProgressBar } from '../output/progress.js';
import { palette, shouldUseColor } from '../output/color.js';
import { sanitizeTerminal } from '../output/sanitize.js';
import { writeLines } from '../output/write-lines.js';
import type { CommandIO } from './io.js';

export interface CaptureOptions {
  files: string[];
  db?: string;
}

/** Adds `--db`; the FILE... positional is declared in each command string. */
export function withCaptureOptions<T>(yargs: Argv<T>): Argv<T & CaptureOptions> {
  return yargs
    .positional('files', {
      type: 'string',
      array: true,
      describe: 'capture files written by `dropcap record -w`',
    })
    .option('db', {
      type: 'string',
      describe: 'keep the SQLite database in this file and reuse it next time instead of importing again',
      normalize: true,
    }) as unknown as Argv<T & CaptureOptions>;
}

/** What the command will ask of the database. */
export interface CaptureNeeds {
  /** false: only the counts kept at import, no per-drop rows (see LoadOptions.dropRows); ignored with --db */
  dropRows?: boolean;
}

/** Loads the captures; progress goes to stderr only when it is a terminal. */
export function openCaptures(opts: CaptureOptions, io: CommandIO, needs: CaptureNeeds = {}): Analysis {
  const progress = createProgressBar(io.stderr);
  try {
    return loadCaptures(opts.files, {
      // a database kept for later queries gets every row
      ...(opts.db !== undefined ? { dbPath: opts.db } : { dropRows: needs.dropRows ?? true }),
      ...(progress.onProgress ? { onProgress: progress.onProgress } : {}),
    });
  } finally {
    progress.finish();
  }
}

/** Prints warnings as "warning: ..." lines on stderr (stdout stays data). */
export async function printWarnings(warnings: readonly string[], io: CommandIO): Promise<void> {
  const p = palette(shouldUseColor(io.stderr, io.env));
  await writeLines(
    warnings.map((w) => `${p.yellow('warning:')} ${sanitizeTerminal(w)}`),
    io.stderr,
  );
}

/**
 * Opens the captures, reports the loader's warnings on stderr (unless the
 * caller reports problems itself: `quiet`), runs `use`,
 * and closes the database whatever happens (a --db file stays consistent).
 */
export async function withCaptures<T>(
  opts: CaptureOptions,
  io: CommandIO,
  how: { quiet?: boolean } & CaptureNeeds,
  use: (analysis: Analysis) => Promise<T>,
): Promise<T> {
  const analysis = openCaptures(opts, io, how);
  try {
    if (!how.quiet) await printWarnings(analysis.warnings, io);
    return await use(analysis);
  } finally {
    analysis.db.close();
  }
}
