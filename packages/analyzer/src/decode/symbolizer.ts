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
const MODULE = /^\[(.*)\]$/;

/** Value of a hex digit's char code, or -1. */
function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 0x20;
  return l >= 97 && l <= 102 ? l - 87 : -1;
}

/** t T w W: text symbols (a return address always lies in code). */
const isTextType = (c: number): boolean => c === 116 || c === 84 || c === 119 || c === 87;

export class Symbolizer {
  readonly #addrs: BigUint64Array;
  readonly #names: string[];
  readonly #modules: Array<string | null>;
  /** symbols not kept: names too long, or past MAX_SYMBOLS */
  skipped = 0;

  private constructor(addrs: BigUint64Array, names: string[], modules: Array<string | null>) {
    this.#addrs = addrs;
    this.#names = names;
    this.#modules = modules;
  }

  static empty(): Symbolizer {
    return new Symbolizer(new BigUint64Array(0), [], []);
  }

  /**
   * Parses `ADDR TYPE NAME[\t[MODULE]]` lines (ADDR 1-16 hex digits), text
   * symbols only; zero addresses (kptr_restrict) are dropped. The text is
   * untrusted and may be a decompression bomb of up to 256 MiB: lines are
   * found with indexOf (no split() into one giant array), each is checked by
   * char code, and at most MAX_SYMBOLS symbols of at most MAX_NAME characters
   * are kept.
   */
  static fromKallsyms(text: string): Symbolizer {
    // addresses as two u32 halves: no BigInt per line, and number comparisons to sort
    const his: number[] = [];
    const los: number[] = [];
    const names: string[] = [];
    const modules: Array<string | null> = [];
    let skipped = 0;
    let sorted = true;
    const end = text.length;
    // the next tab at or after the current line: found once, not searched for per line
    let nextTab = -1;
    for (let line = 0, next = 0; line < end; line = next) {
      let nl = text.indexOf('\n', line);
      if (nl < 0) nl = end;
      next = nl + 1;
      // "ffffffff81000000 T _stext" or "ffffffffc0a01000 t foo\t[mod]"
      let p = line;
      let hi = 0;
      let lo = 0;
      if (line + 16 < nl && text.charCodeAt(line + 16) === 32 && hexValue(text.charCodeAt(line + 7)) >= 0 && hexValue(text.charCodeAt(line + 15)) >= 0) {
        // the usual 16 digits: two native conversions. Number() is NaN on any
        // non-hex character (unlike parseInt) except trailing whitespace, which
        // the checks of each half's last digit rule out.
        hi = Number('0x' + text.slice(line, line + 8));
        lo = Number('0x' + text.slice(line + 8, line + 16));
        if (hi !== hi || lo !== lo) continue;
        p = line + 16;
      } else {
        for (let v: number; p < nl && p - line < 17 && (v = hexValue(text.charCodeAt(p))) >= 0; p++) {
          hi = hi * 16 + Math.floor(lo / 0x10000000);
          lo = (lo % 0x10000000) * 16 + v;
        }
      }
      const digits = p - line;
      if (digits < 1 || digits > 16 || p + 3 >= nl) continue;
      if (text.charCodeAt(p) !== 32 || !isTextType(text.charCodeAt(p + 1)) || text.charCodeAt(p + 2) !== 32) continue;
      if (hi === 0 && lo === 0) continue;
      const restEnd = Math.min(nl, p + 3 + MAX_REST);
      if (nextTab !== end && nextTab < p + 3) {
        nextTab = text.indexOf('\t', p + 3);
        if (nextTab < 0) nextTab = end;
      }
      const nameEnd = nextTab < restEnd ? nextTab : restEnd;
      const name = text.slice(p + 3, nameEnd).trim();
      if (!name) continue;
      if (name.length > MAX_NAME) {
        skipped++;
        continue;
      }
      if (names.length >= MAX_SYMBOLS) {
        skipped++;
        break;
      }
      let module: string | null = null;
      if (nameEnd < restEnd) module = MODULE.exec(text.slice(nameEnd + 1, restEnd).trim())?.[1] ?? null;
      const n = names.length;
      if (n > 0 && (hi < his[n - 1]! || (hi === his[n - 1]! && lo < los[n - 1]!))) sorted = false;
      his.push(hi);
      los.push(lo);
      names.push(name);
      modules.push(module);
    }
    // kallsyms is mostly in address order already; sort only when it is not.
    // Aliases at one address: keep the first listed (ties broken by file order).
    const order = Uint32Array.from({ length: names.length }, (_, i) => i);
    if (!sorted) order.sort((a, b) => his[a]! - his[b]! || los[a]! - los[b]! || a - b);
    const kept: number[] = [];
    for (const i of order) {
      const last = kept[kept.length - 1];
      if (last !== undefined && his[last] === his[i] && los[last] === los[i]) continue;
      kept.push(i);
    }
    const addrs = new BigUint64Array(kept.length);
    const halves = new Uint32Array(addrs.buffer);
    const lowFirst = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
    kept.forEach((i, k) => {
      halves[2 * k + (lowFirst ? 0 : 1)] = los[i]!;
      halves[2 * k + (lowFirst ? 1 : 0)] = his[i]!;
    });
    const sym = new Symbolizer(
      addrs,
      kept.map((i) => names[i]!),
      kept.map((i) => modules[i]!),
    );
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
    return { name: this.#names[found]!, offset, module: this.#modules[found]! };
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
