// The one place where errors become messages and exit codes (Jest's
// run.ts does the same): core code throws typed errors and never exits.
import { EXIT_FAILURE, EXIT_PRIVILEGES, EXIT_USAGE } from './exit-codes.js';

const USAGE_CODES = new Set(['EFILTER', 'EUSAGE', 'EARG']);
const PRIVILEGE_CODES = new Set(['EPRIV', 'EPERM_ROOT']);

export function exitCodeFor(err: unknown): number {
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string' && USAGE_CODES.has(code)) return EXIT_USAGE;
  if (typeof code === 'string' && PRIVILEGE_CODES.has(code)) return EXIT_PRIVILEGES;
  return EXIT_FAILURE;
}

/** One line naming the cause (and, in our errors, the fix); the stack only with --verbose. */
export function formatError(err: unknown, verbose: boolean): string {
  if (!(err instanceof Error)) return `dropcap: ${String(err)}`;
  const first = `dropcap: ${err.message}`;
  return verbose && err.stack ? `${first}\n${err.stack}` : first;
}
