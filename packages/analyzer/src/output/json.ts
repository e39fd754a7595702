/**
 * JSON for rows that may hold bigints (kernel addresses, nanosecond clocks)
 * and Buffers (BLOB columns of a user query). JSON.stringify throws on
 * bigint; we write it as a number when that number is exact, else as a
 * decimal string so no digit is silently rounded away.
 */

/** One value made JSON-safe: bigint → number or string, Buffer → hex string. */
export function toJsonValue(value: unknown): unknown {
  if (typeof value === 'bigint') {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  }
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex');
  return value;
}

/** JSON.stringify replacer applying toJsonValue at every depth. */
export function jsonReplacer(this: unknown, key: string, value: unknown): unknown {
  // Buffer.toJSON runs before the replacer sees a Buffer; read the original.
  const original = key === '' ? value : (this as Record<string, unknown>)[key];
  return toJsonValue(original instanceof Uint8Array ? original : value);
}

/** JSON.stringify that accepts bigints and Buffers. */
export function stringifyJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, jsonReplacer, indent);
}

/** One value as a single JSON line (no newline): for NDJSON streams such as live output. */
export function toJsonLine(value: unknown): string {
  return JSON.stringify(value, jsonReplacer);
}
