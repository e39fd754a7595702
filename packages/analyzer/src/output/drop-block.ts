/**
 * One drop as `analyze list --stacks` and live `dropcap record` print it:
 * the seed tool's line, then its stack (tracing frames trimmed) or why it
 * has none, then an empty line as tcpdrop prints. Shared so that live and
 * offline output are the same text for the same drop.
 */
import { formatDropLine, type DropLineFields, type DropLineOptions } from './drop-line.js';
import { formatStack } from './stack.js';

// why a drop shows no frames, by its stack_status; 'taken' without frames
// means the capture lost them (a damaged block), never a policy
const NO_STACK = new Map<unknown, string>([
  ['budget', 'per-CPU stack budget spent'],
  ['error', 'the kernel could not walk it'],
  ['none', 'stacks were off in this recording'],
  ['taken', 'its frames are missing from the capture'],
]);

export interface DropBlockOptions extends DropLineOptions {
  /** print the stack below the line */
  stacks?: boolean;
}

export function* formatDropBlock(
  row: DropLineFields & { location?: unknown; stack_status?: unknown },
  frames: readonly string[],
  opts: DropBlockOptions = {},
): Generator<string> {
  yield formatDropLine(row, opts);
  if (!opts.stacks) return;
  if (frames.length > 0) yield* formatStack(frames, { location: typeof row.location === 'string' ? row.location : null });
  else if (NO_STACK.has(row.stack_status)) yield `\t(no stack: ${NO_STACK.get(row.stack_status)})`;
  yield '';
}
