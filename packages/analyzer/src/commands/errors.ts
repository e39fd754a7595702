/**
 * Errors the analyze commands throw. The CLI's top-level handler maps `code`
 * to an exit status (USAGE → 2) and prints `message`, which is one line
 * naming the cause and the fix.
 */
export class UsageError extends Error {
  readonly code = 'USAGE' as const;
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
