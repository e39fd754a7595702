/**
 * What every command that reads captures shares: the FILE... positional,
 * `--db`, and opening the captures into SQLite with a progress bar on a
 * terminal and the loader's warnings on stderr.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Argv, Options } from 'yargs';
import { loadCaptures, type Analysis } from '../sqlite/load.js';
import { createProgressBar } from '../output/progress.js';
import { palette, shouldUseColor } from '../output/color.js';
import { sanitizeTerminal } from '../output/sanitize.js';
import { writeLines } from '../output/write-lines.js';
import { distinctCaptures } from './distinct-captures.js';
import { UsageError } from './errors.js';
import type { CommandIO } from './io.js';

export interface CaptureOptions {
  files: string[];
  db?: string;
}

/**
 * `--db FILE`. Without a value yargs gives '' (and `normalize` made that
 * '.', the current directory): requiresArg and the coerce make both
 * `--db` and `--db ''` usage errors instead.
 */
export const DB_OPTION: Options = {
  type: 'string',
  requiresArg: true,
  describe: 'keep the SQLite database in this file and reuse it next time instead of importing again',
  coerce: (value: unknown) => {
    const text = String(value ?? '');
    if (text.trim() === '') throw new UsageError('--db needs a file path for the database, e.g. --db drops.sqlite');
    return path.normalize(text);
  },
};

/** Adds `--db`; the FILE... positional is declared in each command string. */
export function withCaptureOptions<T>(yargs: Argv<T>): Argv<T & CaptureOptions> {
  return yargs
    .positional('files', {
      type: 'string',
      array: true,
      describe: 'capture files written by `dropcap record -w`',
    })
    .option('db', DB_OPTION) as unknown as Argv<T & CaptureOptions>;
}

/** A directory given as --db would be reported as "not a dropcap database; remove it". */
function checkDbPath(dbPath: string): void {
  if (fs.statSync(dbPath, { throwIfNoEntry: false })?.isDirectory()) {
    throw new UsageError(`--db ${dbPath} is a directory; give a file path for the database, e.g. --db ${path.join(dbPath, 'drops.sqlite')}`);
  }
}

/** What the command will ask of the database. */
export interface CaptureNeeds {
  /** false: only the counts kept at import, no per-drop rows (see LoadOptions.dropRows); ignored with --db */
  dropRows?: boolean;
}

/** The loaded captures; `skipped` says which names were left out as duplicates. */
export interface OpenedCaptures extends Analysis {
  skipped: string[];
}

/**
 * Loads the captures; progress goes to stderr only when it is a terminal.
 * A capture named twice (overlapping globs) is loaded once: the warnings
 * about the skipped names come first.
 */
export function openCaptures(opts: CaptureOptions, io: CommandIO, needs: CaptureNeeds = {}): OpenedCaptures {
  if (opts.db !== undefined) checkDbPath(opts.db);
  const { files, skipped } = distinctCaptures(opts.files);
  const progress = createProgressBar(io.stderr);
  try {
    const analysis = loadCaptures(files, {
      // a database kept for later queries gets every row
      ...(opts.db !== undefined ? { dbPath: opts.db } : { dropRows: needs.dropRows ?? true }),
      ...(progress.onProgress ? { onProgress: progress.onProgress } : {}),
    });
    return { ...analysis, warnings: [...skipped, ...analysis.warnings], skipped };
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
  use: (analysis: OpenedCaptures) => Promise<T>,
): Promise<T> {
  const analysis = openCaptures(opts, io, how);
  try {
    if (!how.quiet) await printWarnings(analysis.warnings, io);
    return await use(analysis);
  } finally {
    analysis.db.close();
  }
}
