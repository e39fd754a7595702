/**
 * `dropcap analyze query FILE... "SQL"`: any read-only SQL over the views
 * (`dropcap analyze schema` lists them). The statement runs through the
 * library's guarded runner: no writes, no ATTACH, no extensions.
 */
import type { Argv, CommandModule } from 'yargs';
import { runUserQuery } from '../sqlite/query.js';
import { shouldUseColor } from '../output/color.js';
import { withOutputOptions, type OutputOptions } from '../output/format-option.js';
import { printRows } from '../output/print-rows.js';
import { DB_OPTION, withCaptures } from './capture-options.js';
import { UsageError } from './errors.js';
import { processIO, type CommandIO } from './io.js';
import { withUsageHint } from './usage-hint.js';

const QUERY_EPILOG = [
  'More queries:',
  '  SELECT reason, count(*) AS n FROM drops GROUP BY 1 ORDER BY n DESC',
  '  SELECT host, reason, count(*) FROM drops GROUP BY 1, 2',
  '  SELECT frame FROM stack_frames WHERE stack_id = 1 ORDER BY depth',
  "  SELECT name, value FROM stats WHERE severity = 'data_loss' AND value > 0",
  'Tables, views and columns: dropcap analyze schema',
].join('\n');

export interface QueryArgs extends OutputOptions {
  /** Capture files followed by the SQL statement. */
  args: string[];
  db?: string;
}

export function withQueryOptions<T>(yargs: Argv<T>): Argv<T & QueryArgs> {
  return withOutputOptions(
    yargs
      .positional('args', { type: 'string', array: true, describe: 'capture files, then the SQL statement (quoted)' })
      .option('db', DB_OPTION),
  )
    .example('$0 analyze query x.dcap "SELECT count(*) FROM drops"', 'count drops')
    .example('$0 analyze query a.dcap b.dcap "SQL" --format csv', 'several captures, as CSV')
    .epilog(QUERY_EPILOG) as unknown as Argv<T & QueryArgs>;
}

export async function runQuery(args: QueryArgs, io: CommandIO = processIO()): Promise<void> {
  const files = args.args.slice(0, -1);
  const sql = args.args.at(-1) ?? '';
  if (files.length === 0) {
    throw new UsageError('give the capture files first and the SQL last, e.g. dropcap analyze query drops.dcap "SELECT count(*) FROM drops"');
  }
  await withCaptures({ files, ...(args.db !== undefined ? { db: args.db } : {}) }, io, {}, async (analysis) => {
    const result = runUserQuery(analysis.db, sql);
    await printRows(result.columns, result.rows, args.format, io.stdout, { color: shouldUseColor(io.stdout, io.env) });
  });
}

export function createQueryCommand(io?: CommandIO): CommandModule<object, QueryArgs> {
  return {
    command: 'query <args..>',
    describe: 'run a read-only SQL query over the captures (see `analyze schema`)',
    builder: (yargs) => withUsageHint(withQueryOptions(yargs), 'dropcap analyze query --help'),
    handler: (args) => runQuery(args, io ?? processIO()),
  };
}
