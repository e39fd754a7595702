// Bad flags or values: the CLI turns code EUSAGE into exit code 2 and prints
// the message as the one error line, so it names the cause and the fix.
export class UsageError extends Error {
  readonly code = 'EUSAGE';
}
