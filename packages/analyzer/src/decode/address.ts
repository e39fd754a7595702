// IP address text: dotted quad, or IPv6 compressed per RFC 5952 (longest
// run of two or more zero groups becomes "::", leftmost on a tie, lowercase,
// no leading zeros; IPv4-mapped addresses keep their dotted tail).

export function formatIPv4(b: Uint8Array, off = 0): string {
  return `${b[off]}.${b[off + 1]}.${b[off + 2]}.${b[off + 3]}`;
}

export function formatIPv6(b: Uint8Array, off = 0): string {
  const g = new Array<number>(8);
  for (let i = 0; i < 8; i++) g[i] = (b[off + 2 * i]! << 8) | b[off + 2 * i + 1]!;
  // ::ffff:a.b.c.d (RFC 5952 section 5)
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    return `::ffff:${formatIPv4(b, off + 12)}`;
  }
  let bestStart = -1;
  let bestLen = 1; // a single zero group is not compressed
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (from: number, to: number) => g.slice(from, to).map((x) => x.toString(16)).join(':');
  if (bestStart < 0) return hex(0, 8);
  return `${hex(0, bestStart)}::${hex(bestStart + bestLen, 8)}`;
}

/** family 4 or 6 (the record's family byte); anything else is shown as hex. */
export function formatAddress(family: number, bytes: Uint8Array, off = 0): string {
  if (family === 4) return formatIPv4(bytes, off);
  if (family === 6) return formatIPv6(bytes, off);
  return Buffer.from(bytes.subarray(off, off + 16)).toString('hex');
}

/**
 * Memoizes address text for the import path: drop storms repeat the same
 * few addresses millions of times. Bounded: cleared when it grows too big.
 */
export class AddressCache {
  #v4 = new Map<number, string>();
  #v6 = new Map<string, string>();
  static readonly MAX = 200_000;

  format(family: number, buf: Buffer, off: number): string {
    if (family === 4) {
      const key = buf.readUInt32BE(off);
      let s = this.#v4.get(key);
      if (s === undefined) {
        if (this.#v4.size >= AddressCache.MAX) this.#v4.clear();
        s = formatIPv4(buf, off);
        this.#v4.set(key, s);
      }
      return s;
    }
    const key = buf.toString('latin1', off, off + 16) + family;
    let s = this.#v6.get(key);
    if (s === undefined) {
      if (this.#v6.size >= AddressCache.MAX) this.#v6.clear();
      s = formatAddress(family, buf, off);
      this.#v6.set(key, s);
    }
    return s;
  }
}
