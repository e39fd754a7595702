// Typed errors of the capture format. Messages are one line: cause and fix.
import { MAX_DEFLATE_RATIO } from './constants.js';

export type CaptureFormatErrorCode =
  | 'BAD_MAGIC'
  | 'UNSUPPORTED_VERSION'
  | 'TRUNCATED'
  | 'TOO_LARGE'
  | 'CHECKSUM'
  | 'DECODE'
  | 'BAD_LAYOUT'
  | 'BAD_STACKS'
  | 'BAD_ARGUMENT'
  | 'UNREADABLE';

/** The file (or a body in it) does not follow docs/capture-format.md. */
export class CaptureFormatError extends Error {
  override readonly name = 'CaptureFormatError';
  constructor(
    readonly code: CaptureFormatErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Writing a capture failed at the OS level; `code` is the errno name (ENOSPC, EPIPE, ...). */
export class CaptureWriteError extends Error {
  override readonly name = 'CaptureWriteError';
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Why a deflate (or deflate-planes) body cannot hold the decoded size it declares. */
export const tooExpanded = (rawLength: number, stored: Buffer): string =>
  `${stored.length} stored bytes cannot decode to the ${rawLength} declared: deflate expands at most ${MAX_DEFLATE_RATIO}:1`;
