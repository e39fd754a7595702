// Kernel symbolization from the capture's own /proc/kallsyms snapshot, never
// the analyzing machine's: sorted addresses and a binary search.

export interface SymbolHit {
  name: string;
  offset: bigint;
  module: string | null;
}

/**
 * kallsyms gives starts, not sizes. An address further than this past the
 * nearest symbol is more likely in a gap (freed init text, unlisted code)
 * than inside that symbol; the kernel's biggest functions are far smaller.
 */
const MAX_PLAUSIBLE_OFFSET = 1n << 20n;
/** A real kernel lists ~120k text symbols; 2M leaves room and bounds memory (~200 MB). */
const MAX_SYMBOLS = 1 << 21;
/** KSYM_NAME_LEN is 512 in current kernels. */
const MAX_NAME = 512;
/** Characters of a line after `ADDR TYPE ` that are read; the rest of a longer line is not a kallsyms line. */
const MAX_REST = 1024;
/** The start of a text-symbol line: ADDR (1-16 hex digits), a type among t T w W (a return address always lies in code), a name. */
const LINE_START = /^[0-9a-fA-F]{1,16} [tTwW] [^\n]/gm;
const MODULE = /^\[(.*)\]$/;

/** Where a symbol's name and module are in the kallsyms text: read only when a stack needs it. */
interface Entries {
  text: string;
  /** name bounds, trimmed */
  nameStart: Int32Array;
  nameEnd: Int32Array;
  /** the rest of the line after the name's tab ([module]), or -1 */
  restStart: Int32Array;
  restEnd: Int32Array;
}

const NO_ENTRIES: Entries = {
  text: '',
  nameStart: new Int32Array(0),
  nameEnd: new Int32Array(0),
  restStart: new Int32Array(0),
  restEnd: new Int32Array(0),
};

/** Value of hex digit c (a character code the LINE_START regex already checked). */
const hexValue = (c: number): number => (c <= 57 ? c - 48 : (c | 32) - 87);

const isHexDigit = (c: number): boolean => (c >= 48 && c <= 57) || ((c | 32) >= 97 && (c | 32) <= 102);

/** Printable ASCII other than space: a name bounded by these needs no trim(). */
const plain = (c: number): boolean => c > 32 && c < 127;

/** The lines fromKallsyms kept, in file order, in typed arrays that double as they fill. */
class ParsedLines {
  size = 0;
  his = new Uint32Array(1 << 12);
  los = new Uint32Array(1 << 12);
  nameStart = new Int32Array(1 << 12);
  nameEnd = new Int32Array(1 << 12);
  restStart = new Int32Array(1 << 12);
  restEnd = new Int32Array(1 << 12);

  add(hi: number, lo: number, nameStart: number, nameEnd: number, restStart: number, restEnd: number): void {
    if (this.size === this.his.length) this.#grow();
    const k = this.size++;
    this.his[k] = hi;
    this.los[k] = lo;
    this.nameStart[k] = nameStart;
    this.nameEnd[k] = nameEnd;
    this.restStart[k] = restStart;
    this.restEnd[k] = restEnd;
  }

  #grow(): void {
    const twice = <T extends Uint32Array | Int32Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(a.length * 2);
      b.set(a);
      return b;
    };
    this.his = twice(this.his);
    this.los = twice(this.los);
    this.nameStart = twice(this.nameStart);
    this.nameEnd = twice(this.nameEnd);
    this.restStart = twice(this.restStart);
    this.restEnd = twice(this.restEnd);
  }
}

export class Symbolizer {
  readonly #addrs: BigUint64Array;
  readonly #entries: Entries;
  /** symbols not kept: names too long, or past MAX_SYMBOLS */
  skipped = 0;

  private constructor(addrs: BigUint64Array, entries: Entries) {
    this.#addrs = addrs;
    this.#entries = entries;
  }

  static empty(): Symbolizer {
    return new Symbolizer(new BigUint64Array(0), NO_ENTRIES);
  }

  /**
   * Parses `ADDR TYPE NAME[\t[MODULE]]` lines (ADDR 1-16 hex digits), text
   * symbols only; zero addresses (kptr_restrict) are dropped. The text is
   * untrusted and may be a decompression bomb of up to 256 MiB: lines are
   * found by a regex (no split() into one giant array), and at most
   * MAX_SYMBOLS symbols of at most MAX_NAME characters are kept. A real
   * kallsyms has ~120k text symbols of which a capture's stacks use a few
   * hundred: names are located here but copied out of the text on lookup.
   */
  static fromKallsyms(text: string): Symbolizer {
    // addresses as two u32 halves: no BigInt per line, and number comparisons to sort
    const t = new ParsedLines();
    let skipped = 0;
    let sorted = true;
    const end = text.length;
    // the next tab at or after the current line: found once, not searched for per line
    let nextTab = -1;
    // the regex engine finds candidate lines at native speed, so a bomb of
    // empty or junk lines costs ~1 s, not a JS iteration per line
    const candidate = new RegExp(LINE_START.source, LINE_START.flags);
    // test(), not exec(): no match object per line. The match ends 4 past
    // the digits (" T x"), which start right after a line terminator (^, m
    // flag), not a hex digit: reading hex digits backwards finds them all.
    while (candidate.test(text)) {
      // "ffffffff81000000 T _stext" or "ffffffffc0a01000 t foo\t[mod]"
      const p = candidate.lastIndex - 4;
      // the digits, least significant first: the low 8 into lo, the rest into hi
      let lo = 0;
      let hi = 0;
      let i = p - 1;
      for (let scale = 1; i >= 0 && scale <= 0x10000000; i--, scale *= 16) {
        const c = text.charCodeAt(i);
        if (!isHexDigit(c)) break;
        lo += hexValue(c) * scale;
      }
      for (let scale = 1; i >= 0; i--, scale *= 16) {
        const c = text.charCodeAt(i);
        if (!isHexDigit(c)) break;
        hi += hexValue(c) * scale;
      }
      let nl = text.indexOf('\n', p);
      if (nl < 0) nl = end;
      candidate.lastIndex = nl;
      if (hi === 0 && lo === 0) continue;
      const restEnd = Math.min(nl, p + 3 + MAX_REST);
      if (nextTab !== end && nextTab < p + 3) {
        nextTab = text.indexOf('\t', p + 3);
        if (nextTab < 0) nextTab = end;
      }
      const nameEnd = nextTab < restEnd ? nextTab : restEnd;
      let a = p + 3;
      let b = nameEnd;
      if (!plain(text.charCodeAt(a)) || !plain(text.charCodeAt(b - 1))) {
        // whitespace (or something unusual) at an end: trim() decides, as for any string
        const raw = text.slice(a, b);
        const name = raw.trim();
        if (!name) continue;
        a += raw.indexOf(name);
        b = a + name.length;
      }
      if (b - a > MAX_NAME) {
        skipped++;
        continue;
      }
      if (t.size >= MAX_SYMBOLS) {
        skipped++;
        break;
      }
      const n = t.size;
      if (n > 0 && (hi < t.his[n - 1]! || (hi === t.his[n - 1]! && lo < t.los[n - 1]!))) sorted = false;
      t.add(hi, lo, a, b, nameEnd < restEnd ? nameEnd + 1 : -1, restEnd);
    }
    // kallsyms is in address order but for its modules: sort only when it
    // is not, with a stable sort that finds the sorted runs (TimSort).
    // Aliases at one address: keep the first listed (ties broken by file order).
    const { his, los } = t;
    const order: number[] = new Array<number>(t.size);
    for (let k = 0; k < t.size; k++) order[k] = k;
    if (!sorted) order.sort((x, y) => his[x]! - his[y]! || los[x]! - los[y]!);
    const kept: number[] = [];
    for (const k of order) {
      const last = kept[kept.length - 1];
      if (last !== undefined && his[last] === his[k] && los[last] === los[k]) continue;
      kept.push(k);
    }
    const addrs = new BigUint64Array(kept.length);
    const halves = new Uint32Array(addrs.buffer);
    const lowFirst = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
    const entries: Entries = {
      text,
      nameStart: new Int32Array(kept.length),
      nameEnd: new Int32Array(kept.length),
      restStart: new Int32Array(kept.length),
      restEnd: new Int32Array(kept.length),
    };
    for (let k = 0; k < kept.length; k++) {
      const i = kept[k]!;
      halves[2 * k + (lowFirst ? 0 : 1)] = los[i]!;
      halves[2 * k + (lowFirst ? 1 : 0)] = his[i]!;
      entries.nameStart[k] = t.nameStart[i]!;
      entries.nameEnd[k] = t.nameEnd[i]!;
      entries.restStart[k] = t.restStart[i]!;
      entries.restEnd[k] = t.restEnd[i]!;
    }
    const sym = new Symbolizer(addrs, entries);
    sym.skipped = skipped;
    return sym;
  }

  get size(): number {
    return this.#addrs.length;
  }

  lookup(addr: bigint): SymbolHit | null {
    const a = this.#addrs;
    let lo = 0;
    let hi = a.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (a[mid]! <= addr) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    if (found < 0) return null;
    const offset = addr - a[found]!;
    if (offset >= MAX_PLAUSIBLE_OFFSET) return null;
    const e = this.#entries;
    const rest = e.restStart[found]!;
    const module = rest < 0 ? null : (MODULE.exec(e.text.slice(rest, e.restEnd[found]!).trim())?.[1] ?? null);
    return { name: e.text.slice(e.nameStart[found]!, e.nameEnd[found]!), offset, module };
  }

  /** `tcp_v4_rcv+0x91`, `bpf_prog_abc_x+0x4 [bpf]`, or `0xffffffff81000000` when unknown. */
  format(addr: bigint): string {
    const hit = this.lookup(addr);
    if (!hit) return formatRawAddress(addr);
    return formatSymbol(hit);
  }
}

export function formatSymbol(hit: SymbolHit): string {
  const base = `${hit.name}+0x${hit.offset.toString(16)}`;
  return hit.module ? `${base} [${hit.module}]` : base;
}

export function formatRawAddress(addr: bigint): string {
  return '0x' + addr.toString(16).padStart(16, '0');
}
