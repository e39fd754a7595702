/**
 * `dropcap analyze list FILE...`: one line per drop in the seed tool's
 * format (bcc tcpdrop), optionally with each drop's stack below it.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { Argv, CommandModule } from 'yargs';
import { shouldUseColor, palette } from '../output/color.js';
import { formatDropHeader, type DropLineFields } from '../output/drop-line.js';
import { withOutputOptions, type OutputOptions } from '../output/format-option.js';
import { printRows } from '../output/print-rows.js';
import { formatDropBlock } from '../output/drop-block.js';
import { writeLines } from '../output/write-lines.js';
import type { Analysis } from '../sqlite/load.js';
import { withCaptureOptions, withCaptures, type CaptureOptions } from './capture-options.js';
import { captureSpans } from './capture-spans.js';
import { buildDropFilter, parseFilters, withFilterOptions, type DropFilter, type FilterOptions, type SqlCondition } from './filters.js';
import { UsageError } from './errors.js';
import { processIO, type CommandIO } from './io.js';
import { checkReasonNames } from './reason-names.js';
import { withUsageHint } from './usage-hint.js';

/** Parsed options; everything but `files` has a default, so other code (the demo) can call runList directly. */
export interface ListArgs extends CaptureOptions, FilterOptions, Partial<OutputOptions> {
  stacks?: boolean;
  utc?: boolean;
  limit?: number;
}

// What formatDropLine and the stack lines read.
const LINE_COLUMNS = [
  'time', 'time_ns', 'pid', 'family', 'saddr', 'sport', 'daddr', 'dport', 'state', 'tcp_flags',
  'reason', 'reason_code', 'location', 'stack_id', 'stack_status',
];

export function withListOptions<T>(yargs: Argv<T>): Argv<T & ListArgs> {
  return withOutputOptions(withFilterOptions(withCaptureOptions(yargs)))
    .option('stacks', { type: 'boolean', default: false, describe: "include each drop's kernel stack: below it in text, tracing frames trimmed; whole, as recorded, in json, ndjson and csv" })
    .option('utc', { type: 'boolean', default: false, describe: 'times of day in UTC instead of the local zone (printed, and read in --since/--until)' })
    .option('limit', { type: 'number', describe: 'print at most this many drops' })
    .example('$0 analyze list x.dcap', 'every drop, tcpdrop style')
    .example('$0 analyze list x.dcap --stacks', 'with kernel stacks')
    .example('$0 analyze list x.dcap --port 443', 'drops to or from port 443')
    .example('$0 analyze list x.dcap --since -30s', 'the last 30 s of the capture')
    .example('$0 analyze list x.dcap --format ndjson', 'one JSON object per drop (for jq)') as unknown as Argv<T & ListArgs>;
}

/**
 * Frames of every stack the selected drops use, innermost first. Read up
 * front because better-sqlite3 cannot run a second statement while the
 * drops are being iterated; distinct stacks are few (they are deduplicated).
 */
function stacksOf(db: BetterSqlite3.Database, where: SqlCondition): Map<string, string[]> {
  const rows = db
    .prepare(
      `SELECT stack_id, frame FROM stack_frames
        WHERE stack_id IN (SELECT DISTINCT stack_id FROM drops WHERE (${where.sql}) AND stack_id IS NOT NULL)
        ORDER BY stack_id, depth`,
    )
    .all(...where.params) as Array<{ stack_id: number | bigint; frame: string }>;
  const stacks = new Map<string, string[]>();
  for (const r of rows) {
    const key = String(r.stack_id);
    const frames = stacks.get(key) ?? [];
    frames.push(String(r.frame));
    stacks.set(key, frames);
  }
  return stacks;
}

export async function runList(args: ListArgs, io: CommandIO = processIO()): Promise<void> {
  if (args.limit !== undefined && !(args.limit >= 0)) throw new UsageError('--limit must be a number of drops, e.g. --limit 20');
  const filter = parseFilters(args);
  await withCaptures(args, io, {}, (analysis) => printDrops(analysis, filter, args, io));
}

async function printDrops(analysis: Analysis, filter: DropFilter, args: ListArgs, io: CommandIO): Promise<void> {
  checkReasonNames(analysis.db, filter);
  const where = buildDropFilter(filter, captureSpans(analysis.db));
  const stacks = args.stacks ? stacksOf(analysis.db, where) : new Map<string, string[]>();
  // SQLite reads LIMIT -1 as "no limit".
  const limit = args.limit !== undefined && args.limit >= 0 ? Math.floor(args.limit) : -1;
  const format = args.format ?? 'table';
  // The text line needs a few columns; reading only those lets SQLite skip
  // the view's other joins. Exports get every column.
  const selected = format === 'table' ? LINE_COLUMNS.join(', ') : '*';
  const statement = analysis.db
    .prepare(`SELECT ${selected} FROM drops WHERE ${where.sql} ORDER BY time_ns, capture_id, cpu LIMIT ?`)
    // time_ns and location_addr exceed 2^53: read integers as bigint.
    .safeIntegers(true);
  const rows = statement.iterate(...where.params, limit) as IterableIterator<Record<string, unknown>>;
  const stackOf = (row: Record<string, unknown>) => (row.stack_id === null || row.stack_id === undefined ? [] : stacks.get(String(row.stack_id)) ?? []);

  if (format === 'table') {
    const p = palette(shouldUseColor(io.stdout, io.env));
    const time = args.utc ? 'utc' : 'local';
    const lines = function* () {
      yield p.bold(formatDropHeader());
      for (const row of rows) yield* formatDropBlock(row as unknown as DropLineFields, stackOf(row), { time, stacks: args.stacks ?? false });
    };
    await writeLines(lines(), io.stdout);
    return;
  }
  const columns = statement.columns().map((c) => c.name);
  // Exports keep every frame, untrimmed: CSV joins them with ';' (innermost first).
  const withStack = args.stacks ? [...columns, 'stack'] : columns;
  const values = function* () {
    for (const row of rows) {
      const cells = columns.map((c) => row[c]);
      if (args.stacks) cells.push(format === 'csv' ? stackOf(row).join(';') : stackOf(row));
      yield cells;
    }
  };
  await printRows(withStack, values(), format, io.stdout);
}

export function createListCommand(io?: CommandIO): CommandModule<object, ListArgs> {
  return {
    command: 'list <files..>',
    describe: 'one line per drop, in the tcpdrop format, optionally with stacks',
    builder: (yargs) => withUsageHint(withListOptions(yargs), 'dropcap analyze list --help'),
    handler: (args) => runList(args, io ?? processIO()),
  };
}
