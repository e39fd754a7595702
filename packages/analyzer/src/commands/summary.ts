/**
 * `dropcap analyze FILE...` (also `analyze summary`): what happened in these
 * captures, on one screen.
 */
import type { Argv, CommandModule } from 'yargs';
import { shouldUseColor } from '../output/color.js';
import { withOutputOptions, type OutputOptions } from '../output/format-option.js';
import { localeSupportsUnicode } from '../output/histogram.js';
import { stringifyJson } from '../output/json.js';
import { dataLossWarnings, formatSummary } from '../output/summary-text.js';
import { writeLines } from '../output/write-lines.js';
import { printWarnings, withCaptureOptions, withCaptures, type CaptureOptions } from './capture-options.js';
import { captureSpans } from './capture-spans.js';
import { buildDropFilter, hasFilters, parseFilters, withFilterOptions, type FilterOptions } from './filters.js';
import { UsageError } from './errors.js';
import { processIO, type CommandIO } from './io.js';
import { checkReasonNames } from './reason-names.js';
import { DropRowsNeeded, collectSummary } from './summary-data.js';
import { withUsageHint } from './usage-hint.js';

/** Parsed options; everything but `files` has a default, so other code (the demo) can call runSummary directly. */
export interface SummaryArgs extends CaptureOptions, FilterOptions, Partial<OutputOptions> {
  top?: number;
  'top-stacks'?: number;
  'stack-depth'?: number;
  utc?: boolean;
}

export function withSummaryOptions<T>(yargs: Argv<T>): Argv<T & SummaryArgs> {
  return withOutputOptions(withFilterOptions(withCaptureOptions(yargs)), ['table', 'json'])
    .option('top', { type: 'number', default: 10, describe: 'rows in each "top" table (reasons, sites, flows); the timeline splits the first 4 reasons' })
    .option('top-stacks', { type: 'number', default: 5, describe: 'most common kernel stacks shown, each with --stack-depth frames' })
    .option('stack-depth', { type: 'number', default: 8, describe: 'frames shown per top stack' })
    .option('utc', { type: 'boolean', default: false, describe: 'times of day in UTC instead of the local zone (printed, and read in --since/--until)' })
    .example('$0 analyze drops.dcap', 'summarize a capture')
    .example('$0 analyze web*.dcap --top 5', 'several captures in one database')
    .example('$0 analyze x.dcap --reason no_socket', 'only NO_SOCKET drops')
    .example('$0 analyze x.dcap --since 10s', 'drops after the first 10 s')
    .example('$0 analyze x.dcap --format json', 'the same numbers as JSON') as unknown as Argv<T & SummaryArgs>;
}

export async function runSummary(args: SummaryArgs, io: CommandIO = processIO()): Promise<void> {
  const topArg = args.top ?? 10;
  const topStacksArg = args['top-stacks'] ?? 5;
  const depthArg = args['stack-depth'] ?? 8;
  if (args.files === undefined || args.files.length === 0) {
    throw new UsageError('name the capture files to summarize (dropcap analyze FILE.dcap...), or a subcommand: list, query, info, schema; see dropcap analyze --help');
  }
  if (!(topArg >= 1)) throw new UsageError('--top must be a number of rows, at least 1, e.g. --top 5');
  if (!(topStacksArg >= 0)) throw new UsageError('--top-stacks must be a number of stacks, 0 or more, e.g. --top-stacks 10');
  if (!(depthArg >= 1)) throw new UsageError('--stack-depth must be a number of frames, at least 1, e.g. --stack-depth 12');
  const filter = parseFilters(args);
  const top = Math.floor(topArg);
  // The problems are told once, on stderr (as list, info and query do, so
  // they reach the terminal when stdout is redirected): the summary's own
  // lines, one per problem from the stats table. The loader's warnings (the
  // same problems, worded per file) only go into the JSON form.
  const filtered = hasFilters(filter);
  const summarize = (dropRows: boolean) =>
    withCaptures(args, io, { quiet: true, dropRows }, async (analysis) => {
      checkReasonNames(analysis.db, filter);
      const where = buildDropFilter(filter, captureSpans(analysis.db));
      const data = collectSummary(analysis.db, where, { top, stacks: Math.floor(topStacksArg), buckets: 60 }, filtered);
      return { data, warnings: analysis.warnings, skipped: analysis.skipped };
    });
  // Unfiltered, the counts an import keeps usually answer everything, and
  // the drops need no rows; when they do not (a capture spanning a few ms,
  // damaged times), the import is done again with rows.
  let result: Awaited<ReturnType<typeof summarize>>;
  try {
    result = await summarize(filtered);
  } catch (err) {
    if (!(err instanceof DropRowsNeeded)) throw err;
    result = await summarize(true);
  }
  const { data, warnings, skipped } = result;
  // a skipped duplicate has no stats row for dataLossWarnings to tell
  await printWarnings([...skipped, ...dataLossWarnings(data.stats, data.captures.length)], io);
  if (args.format === 'json') {
    await writeLines([stringifyJson({ ...data, warnings }, 2)], io.stdout);
    return;
  }
  const lines = formatSummary(data, {
    color: shouldUseColor(io.stdout, io.env),
    unicode: localeSupportsUnicode(io.env),
    time: args.utc ? 'utc' : 'local',
    stackDepth: Math.floor(depthArg),
  });
  await writeLines(lines, io.stdout);
}

export function createSummaryCommand(io?: CommandIO): CommandModule<object, SummaryArgs> {
  return {
    // [files..], not <files..>: a bare `dropcap analyze` gets our own hint
    // naming the subcommands rather than yargs' count of missing arguments.
    command: ['$0 [files..]', 'summary [files..]'],
    describe: 'summarize captures: totals, lost events, top reasons, sites, flows and stacks, drops over time',
    builder: (yargs) => withUsageHint(withSummaryOptions(yargs), 'dropcap analyze --help'),
    handler: (args) => runSummary(args, io ?? processIO()),
  };
}
