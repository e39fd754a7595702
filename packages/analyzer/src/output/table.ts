/**
 * Aligned text tables for terminals. Every cell is sanitized (cells may hold
 * capture strings); numbers are right-aligned so magnitudes line up.
 */
import { palette } from './color.js';
import { toJsonValue } from './json.js';
import { sanitizeTerminal } from './sanitize.js';

export interface TableOptions {
  /** Bold header when true (the caller decides with shouldUseColor). */
  readonly color?: boolean;
  /** Text for SQL NULL; empty by default, as the sqlite3 shell does. */
  readonly nullText?: string;
}

/** Display text of one cell, safe to print on a terminal. */
export function tableCell(value: unknown, nullText = ''): string {
  if (value === null || value === undefined) return nullText;
  const plain = toJsonValue(value);
  const text = typeof plain === 'object' ? JSON.stringify(plain) : String(plain);
  return sanitizeTerminal(text);
}

const isNumeric = (v: unknown) => typeof v === 'number' || typeof v === 'bigint';

// Code points, not UTF-16 units, so é or ▇ count as one column.
const displayWidth = (s: string) => [...s].length;

/** Lines of an aligned table: header, dashes, one line per row. */
export function formatTable(columns: readonly string[], rows: readonly (readonly unknown[])[], opts: TableOptions = {}): string[] {
  const header = columns.map((c) => sanitizeTerminal(c));
  const cells = rows.map((row) => columns.map((_, i) => tableCell(row[i], opts.nullText)));
  const widths = header.map((h, i) => Math.max(displayWidth(h), ...cells.map((r) => displayWidth(r[i] ?? ''))));
  // A column is right-aligned when every non-null value in it is a number.
  const rightAligned = columns.map((_, i) => {
    const values = rows.map((r) => r[i]).filter((v) => v !== null && v !== undefined);
    return values.length > 0 && values.every(isNumeric);
  });
  const pad = (text: string, i: number) => {
    const fill = ' '.repeat(Math.max(0, (widths[i] ?? 0) - displayWidth(text)));
    return rightAligned[i] ? fill + text : text + fill;
  };
  const join = (parts: string[]) => parts.join('  ').trimEnd();
  const p = palette(opts.color === true);
  return [
    p.bold(join(header.map(pad))),
    join(widths.map((w) => '-'.repeat(w))),
    ...cells.map((r) => join(r.map(pad))),
  ];
}
