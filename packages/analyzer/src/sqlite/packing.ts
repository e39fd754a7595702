// How the internal _drop table packs small fields into few integer columns.
// Binding a value costs about 70 ns in better-sqlite3 and SQLite's own
// per-column work about as much again, so the import of 10M drops is paced
// by the column count: 11 columns instead of 32. The `drops` view unpacks
// them with shifts and masks (see schema.ts). Every packed value stays below
// 2^53 so JavaScript numbers carry it exactly.

/**
 * bits: tcp_flags 0-7 | state 8-15 | sk_source 16-17 | family 18-21 |
 * event flags 22-29 | cpu 30-42 | capture_id 43-52
 */
export const BITS = {
  STATE_SHIFT: 8,
  SK_SOURCE_SHIFT: 16,
  FAMILY_SHIFT: 18,
  FLAGS_SHIFT: 22,
  CPU_SHIFT: 30,
  CPU_MASK: 0x1fff,
  CAPTURE_SHIFT: 43,
} as const;

/** 8192 CPUs: the kernel's NR_CPUS ceiling (x86 MAXSMP). */
export const MAX_CPU = BITS.CPU_MASK;
/** captures per database */
export const MAX_CAPTURES = 1023;

export function packBits(captureId: number, tcpFlags: number, state: number, skSource: number, family: number, flags: number, cpu: number): number {
  return (
    ((tcpFlags & 0xff) | ((state & 0xff) << 8) | ((skSource & 3) << 16) | ((family & 15) << 18) | ((flags & 0xff) << 22)) +
    (cpu & BITS.CPU_MASK) * 2 ** BITS.CPU_SHIFT +
    captureId * 2 ** BITS.CAPTURE_SHIFT
  );
}

/** addrs: saddr id * 2^26 + daddr id (ids index _addr) */
export const ADDR_SHIFT = 26;
export const ADDR_ID_LIMIT = 2 ** ADDR_SHIFT;
export const ADDR_MASK = ADDR_ID_LIMIT - 1;
/** site_reason: _site id * 2^32 + raw reason (site ids stay below 2^21) */
export const SITE_SHIFT = 32;
export const SITE_ID_LIMIT = 2 ** 21;
/** ports: sport * 65536 + dport; seq_win: seq * 65536 + window */
export const U16 = 65536;
export const U32 = 4294967296;
