/**
 * The one `--format` option shared by every command that prints rows
 * (sqlite-utils' output_options is the model): one name, one set of choices,
 * one description, whatever the command.
 */
import type { Argv } from 'yargs';

export const OUTPUT_FORMATS = ['table', 'json', 'ndjson', 'csv'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

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
    describe: 'output format: aligned text, a JSON array, one JSON object per line, or RFC 4180 CSV',
    group: 'Output:',
  }) as unknown as Argv<T & OutputOptions>;
}
