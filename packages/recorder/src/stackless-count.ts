// Counts recorded events without a kernel stack, the way the analyzer's
// stackless_events does (stack_id 0). The kernel's stack_budget and
// stack_error counters cannot give this number: under --stacks none no
// stack is ever attempted, so neither counts, and they also count events
// that were then lost in the ring buffer or cut by --count. The addon counts
// every batch it delivers (Batch.stackless); this is for the one batch that
// --count cuts short.
import { EVENT_LAYOUT_V1 } from '@dropcap/format';

const STACK_ID_OFFSET = EVENT_LAYOUT_V1.fields.find((f) => f.name === 'stack_id')!.offset;

/** `events` holds `count` records of EVENT_LAYOUT_V1 as the addon delivers them: little-endian, like the capture format and the hosts BPF records on. */
export function countStackless(events: Buffer, count: number): number {
  let n = 0;
  for (let i = 0, off = STACK_ID_OFFSET; i < count; i++, off += EVENT_LAYOUT_V1.size) {
    if (events.readUInt32LE(off) === 0) n++;
  }
  return n;
}
