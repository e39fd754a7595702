/**
 * Errors the analyze commands throw. The CLI's top-level handler
 * (packages/cli/src/errors.ts) maps `code` to an exit status (EUSAGE → 2,
 * like its own yargs usage errors) and prints `message`, which is one line
 * naming the cause and the fix.
 */
export class UsageError extends Error {
  readonly code = 'EUSAGE' as const;
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
