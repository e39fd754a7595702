// Typed errors of the analyzer library. Messages are one line: cause and fix.

export type AnalyzerErrorCode =
  | 'NO_HEADER'
  | 'NO_LAYOUT'
  | 'BAD_BLOCK'
  | 'NOT_A_DROPCAP_DB'
  | 'DB_UNUSABLE'
  | 'QUERY_REFUSED'
  | 'QUERY_FAILED'
  | 'NO_CAPTURES'
  | 'IMPORT_FAILED';

export class AnalyzerError extends Error {
  override readonly name = 'AnalyzerError';
  constructor(
    readonly code: AnalyzerErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
