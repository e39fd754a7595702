/**
 * `dropcap analyze schema`: the user-facing tables and views with every
 * column documented, printed from the library's single SCHEMA source (the
 * same source that makes the DDL and docs/schema.md).
 */
import type { Argv, CommandModule } from 'yargs';
import { SCHEMA } from '../sqlite/schema.js';
import { palette, shouldUseColor } from '../output/color.js';
import { withOutputOptions, type OutputOptions } from '../output/format-option.js';
import { printRows } from '../output/print-rows.js';
import { stringifyJson } from '../output/json.js';
import { formatTable } from '../output/table.js';
import { writeLines } from '../output/write-lines.js';
import { UsageError } from './errors.js';
import { processIO, type CommandIO } from './io.js';
import { withUsageHint } from './usage-hint.js';

export interface SchemaArgs extends OutputOptions {
  name?: string;
  internal: boolean;
}

export async function runSchema(args: SchemaArgs, io: CommandIO = processIO()): Promise<void> {
  const all = SCHEMA.filter((r) => args.internal || !r.internal);
  const selected = args.name === undefined ? all : SCHEMA.filter((r) => r.name === args.name);
  if (selected.length === 0) {
    throw new UsageError(`no table or view named ${JSON.stringify(args.name)}; try one of: ${SCHEMA.filter((r) => !r.internal).map((r) => r.name).join(', ')}`);
  }
  if (args.format === 'json') {
    const documented = selected.map((r) => ({
      name: r.name,
      kind: r.kind,
      doc: r.doc,
      columns: r.columns.map((c) => ({ name: c.name, type: c.type, doc: c.doc })),
    }));
    await writeLines([stringifyJson(documented, 2)], io.stdout);
    return;
  }
  if (args.format === 'table') {
    const color = shouldUseColor(io.stdout, io.env);
    const p = palette(color);
    const lines: string[] = [];
    for (const r of selected) {
      if (lines.length > 0) lines.push('');
      lines.push(`${p.bold(r.name)} (${r.kind}): ${r.doc}`);
      lines.push(...formatTable(['column', 'type', 'description'], r.columns.map((c) => [c.name, c.type, c.doc]), { color }).map((l) => `  ${l}`));
    }
    await writeLines(lines, io.stdout);
    return;
  }
  // ndjson / csv: one row per column, flat.
  const rows = selected.flatMap((r) => r.columns.map((c) => [r.name, r.kind, c.name, c.type, c.doc]));
  await printRows(['relation', 'kind', 'column', 'type', 'doc'], rows, args.format, io.stdout);
}

export function createSchemaCommand(io?: CommandIO): CommandModule<object, SchemaArgs> {
  return {
    command: 'schema [name]',
    describe: 'list the tables and views `analyze query` can read, every column explained',
    builder: (yargs: Argv) =>
      withUsageHint(withOutputOptions(
        yargs
          .positional('name', { type: 'string', describe: 'only this table or view' })
          .option('internal', { type: 'boolean', default: false, describe: 'also list the internal tables (names starting with _), which may change between versions' }),
      )
        .example('$0 analyze schema', 'every table and view')
        .example('$0 analyze schema drops', 'the columns of the drops view'), 'dropcap analyze schema --help') as unknown as Argv<SchemaArgs>,
    handler: (args) => runSchema(args, io ?? processIO()),
  };
}
