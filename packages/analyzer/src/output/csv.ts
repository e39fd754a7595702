/**
 * CSV per RFC 4180: fields with a comma, a double quote, CR or LF are quoted,
 * quotes doubled, records end with CRLF.
 *
 * Spreadsheets execute cells that start with = + - @ (CSV injection), and a
 * capture's strings (comm, interface names) are chosen by whoever ran the
 * recorded processes. Such *string* cells get a leading apostrophe, the
 * OWASP-recommended defuse; numbers are never altered.
 */
import { toJsonValue } from './json.js';

const NEEDS_QUOTES = /[",\r\n]/;
const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV field. null/undefined is the empty field. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const plain = toJsonValue(value);
  let text: string;
  if (typeof value === 'string') {
    text = FORMULA_START.test(value) ? `'${value}` : value;
  } else if (typeof plain === 'object') {
    text = JSON.stringify(plain);
  } else {
    text = String(plain);
  }
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV record including its CRLF terminator. */
export function csvRecord(values: readonly unknown[]): string {
  return values.map(csvField).join(',') + '\r\n';
}
