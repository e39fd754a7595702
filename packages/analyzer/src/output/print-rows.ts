/**
 * printRows: one row set written in any of the four output formats. Every
 * command that prints rows goes through here, so `--format` means the same
 * thing everywhere.
 */
import { csvRecord } from './csv.js';
import type { OutputFormat } from './format-option.js';
import { jsonReplacer, toJsonValue } from './json.js';
import { formatTable } from './table.js';
import { writeLines, type OutputStream } from './write-lines.js';

export interface PrintOptions {
  /** Colour for the table header; decide it with shouldUseColor. */
  readonly color?: boolean;
}

/**
 * Object keys for JSON output. SQL allows two result columns with the same
 * name (`SELECT 1 AS a, 2 AS a`); an object cannot, so later ones get _2, _3.
 */
export function uniqueKeys(columns: readonly string[]): string[] {
  const seen = new Set<string>();
  return columns.map((name) => {
    let key = name;
    for (let n = 2; seen.has(key); n++) key = `${name}_${n}`;
    seen.add(key);
    return key;
  });
}

/** A row as an object keyed by column name, for JSON formats. */
export function rowObject(keys: readonly string[], row: readonly unknown[]): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  keys.forEach((key, i) => {
    object[key] = row[i] ?? null;
  });
  return object;
}

// Cells are flat values (or arrays of strings, e.g. a stack), so converting
// them up front lets JSON.stringify run without a replacer, several times
// faster on millions of rows.
function jsonRow(keys: readonly string[], row: readonly unknown[]): string {
  const object: Record<string, unknown> = {};
  for (let i = 0; i < keys.length; i++) {
    const value = row[i];
    object[keys[i] as string] = value === undefined ? null : typeof value === 'object' && value !== null && !(value instanceof Uint8Array) ? value : toJsonValue(value);
  }
  return JSON.stringify(object, hasNested(row) ? jsonReplacer : undefined);
}

// Nested arrays/objects may hold bigints: those rows keep the replacer.
const hasNested = (row: readonly unknown[]) => row.some((v) => typeof v === 'object' && v !== null && !(v instanceof Uint8Array));

/** The lines of one row set in one format (CSV lines carry their own CRLF). */
export function* formatRows(
  columns: readonly string[],
  rows: Iterable<readonly unknown[]>,
  format: OutputFormat,
  opts: PrintOptions = {},
): Generator<string> {
  const keys = uniqueKeys(columns);
  switch (format) {
    case 'table':
      yield* formatTable(columns, [...rows], { color: opts.color });
      return;
    case 'ndjson':
      for (const row of rows) yield jsonRow(keys, row);
      return;
    case 'json': {
      // One object per line inside the array: valid JSON, yet streamable
      // and readable with grep.
      let previous: string | undefined;
      yield '[';
      for (const row of rows) {
        if (previous !== undefined) yield previous + ',';
        previous = jsonRow(keys, row);
      }
      if (previous !== undefined) yield previous;
      yield ']';
      return;
    }
    case 'csv':
      yield csvRecord(columns);
      for (const row of rows) yield csvRecord(row);
      return;
  }
}

/** Writes one row set to `stream`; resolves false if the reader went away. */
export function printRows(
  columns: readonly string[],
  rows: Iterable<readonly unknown[]>,
  format: OutputFormat,
  stream: OutputStream,
  opts: PrintOptions = {},
): Promise<boolean> {
  return writeLines(formatRows(columns, rows, format, opts), stream, format === 'csv' ? '' : '\n');
}
