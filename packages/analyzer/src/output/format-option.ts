/**
 * The one `--format` option shared by every command that prints rows
 * (sqlite-utils' output_options is the model): one name, one set of choices,
 * one description, whatever the command.
 */
import type { Argv } from 'yargs';

export const OUTPUT_FORMATS = ['table', 'json', 'ndjson', 'csv'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

const FORMAT_HELP: Record<OutputFormat, string> = {
  table: 'table (aligned text)',
  json: 'json',
  ndjson: 'ndjson (a JSON object per line)',
  csv: 'csv (RFC 4180)',
};

export interface OutputOptions {
  format: OutputFormat;
}

/**
 * Adds `--format`. A command whose output is not a single row set (the
 * summary) narrows the choices so that `--help` and yargs' own validation
 * tell the user what it can do.
 */
export function withOutputOptions<T>(yargs: Argv<T>, formats: readonly OutputFormat[] = OUTPUT_FORMATS): Argv<T & OutputOptions> {
  return yargs.option('format', {
    choices: formats,
    default: 'table' as OutputFormat,
    describe: `output format: ${formats.map((f) => FORMAT_HELP[f]).join(', ')}`,
    group: 'Output:',
  }) as unknown as Argv<T & OutputOptions>;
}
