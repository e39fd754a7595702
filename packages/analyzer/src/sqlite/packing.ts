// How the internal _drop table stays narrow. A row costs better-sqlite3 and
// SQLite about 250 ns plus about 75 ns per bound column on the benchmark VM,
// so 10M drops are paced by the column count. What repeats from drop to drop
// is interned once: the group (flow, state, device, site, reason, stack,
// event flags: _group, with its parts in _who and _what) and the task (pid,
// tid, comm, CPU: _task). A drop keeps only what is its own: its time, the
// two ids, and seq/window/ack/len packed in two integers, 5 columns instead
// of 32. The `drops` view unpacks them (see schema.ts). Every packed value
// stays below 2^53 so JavaScript numbers carry it exactly.

/** captures per database */
export const MAX_CAPTURES = 1023;

/** seq_win: seq * 65536 + window */
export const U16 = 65536;
export const U32 = 4294967296;

/**
 * ack_len: ack_seq * 2^21 + len when len < 2^21 (any real skb; BIG TCP
 * tops out at 512 KiB). A larger len is stored in _big_len and ack_len is
 * then -(ack_seq * 2^21) - 1, negative, so the view knows to look there.
 */
export const LEN_BITS = 21;
export const LEN_LIMIT = 2 ** LEN_BITS;
export const LEN_MASK = LEN_LIMIT - 1;

export function packAckLen(ackSeq: number, len: number): number {
  return len < LEN_LIMIT ? ackSeq * LEN_LIMIT + len : -(ackSeq * LEN_LIMIT) - 1;
}

/**
 * Drop times are stored relative to a per-capture base, a multiple of this
 * (1000 s), so they stay exact doubles and so every power-of-ten bucket up to
 * 1000 s starts at a multiple of its width.
 */
export const TIME_BASE_UNIT = 1_000_000_000_000n;
