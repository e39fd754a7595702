// Typed errors of the drop provoker. Messages are one line: cause and fix.

export type ProvokeErrorCode =
  | 'NOT_ROOT'
  | 'TOOL_MISSING'
  | 'DROPGEN_MISSING'
  | 'NETNS_CREATE'
  | 'NETNS_NO_IPV6'
  | 'NETNS_DESTROYED'
  | 'EXEC_FAILED'
  | 'TIMEOUT'
  | 'BAD_OUTPUT'
  | 'BAD_ARGUMENT';

/** Provoking drops failed: a missing tool, a namespace problem, a helper that failed. */
export class ProvokeError extends Error {
  override readonly name = 'ProvokeError';
  constructor(
    readonly code: ProvokeErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
