/**
 * `dropcap analyze`: the parent of the analyzer's commands. The lead mounts
 * it in the `dropcap` binary with `yargs.command(analyzeCommand)`.
 */
import type { CommandModule } from 'yargs';
import { createInfoCommand } from './info.js';
import type { CommandIO } from './io.js';
import { createListCommand } from './list.js';
import { createQueryCommand } from './query.js';
import { createSchemaCommand } from './schema.js';
import { createSummaryCommand } from './summary.js';
import { withUsageHint } from './usage-hint.js';

export const ANALYZE_EPILOG = [
  'Captures are read on any machine: no root, no BPF, no access to the recording host.',
  'Times for --since/--until: ISO 8601 (2026-11-22T20:24:39Z), a time of day as list prints it',
  '(20:24:39; UTC with --utc), an offset from the capture start (10s, 1m30s) or from its end (-30s).',
  'Exit status: 0 ok (warnings about damaged or lossy captures go to stderr),',
  '1 error (unreadable capture, failed query), 2 usage error.',
].join('\n');

/** `analyze` with its subcommands; `io` defaults to the process's streams. */
export function createAnalyzeCommand(io?: CommandIO): CommandModule {
  return {
    command: 'analyze',
    describe: 'summarize, list and query captures offline (SQLite)',
    builder: (yargs) =>
      withUsageHint(yargs, 'dropcap analyze --help')
        .command(createSummaryCommand(io))
        .command(createListCommand(io))
        .command(createQueryCommand(io))
        .command(createInfoCommand(io))
        .command(createSchemaCommand(io))
        .demandCommand(1, 'give capture files to summarize, or a subcommand (list, query, info, schema)')
        .epilog(ANALYZE_EPILOG),
    // Never reached: yargs runs the default (summary) or a subcommand.
    handler: () => {},
  };
}

export const analyzeCommand: CommandModule = createAnalyzeCommand();
