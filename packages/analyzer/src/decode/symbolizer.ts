// Kernel symbolization from the capture's own /proc/kallsyms snapshot, never
// the analyzing machine's: sorted addresses and a binary search.

export interface SymbolHit {
  name: string;
  offset: bigint;
  module: string | null;
}

// text symbols only: a return address always lies in code
const TEXT_TYPES = new Set(['t', 'T', 'w', 'W']);
/**
 * kallsyms gives starts, not sizes. An address further than this past the
 * nearest symbol is more likely in a gap (freed init text, unlisted code)
 * than inside that symbol; the kernel's biggest functions are far smaller.
 */
const MAX_PLAUSIBLE_OFFSET = 1n << 20n;

export class Symbolizer {
  readonly #addrs: BigUint64Array;
  readonly #names: string[];
  readonly #modules: Array<string | null>;

  private constructor(addrs: BigUint64Array, names: string[], modules: Array<string | null>) {
    this.#addrs = addrs;
    this.#names = names;
    this.#modules = modules;
  }

  static empty(): Symbolizer {
    return new Symbolizer(new BigUint64Array(0), [], []);
  }

  /** Parses `ADDR TYPE NAME [\t[MODULE]]` lines; zero addresses (kptr_restrict) are dropped. */
  static fromKallsyms(text: string): Symbolizer {
    const entries: Array<{ addr: bigint; name: string; module: string | null; order: number }> = [];
    let order = 0;
    for (const line of text.split('\n')) {
      // "ffffffff81000000 T _stext" or "ffffffffc0a01000 t foo\t[mod]"
      const sp1 = line.indexOf(' ');
      if (sp1 <= 0) continue;
      const sp2 = line.indexOf(' ', sp1 + 1);
      if (sp2 !== sp1 + 2) continue;
      const type = line[sp1 + 1]!;
      if (!TEXT_TYPES.has(type)) continue;
      const hex = line.slice(0, sp1);
      if (!/^[0-9a-fA-F]{1,16}$/.test(hex)) continue;
      const addr = BigInt('0x' + hex);
      if (addr === 0n) continue;
      let rest = line.slice(sp2 + 1);
      let module: string | null = null;
      const tab = rest.indexOf('\t');
      if (tab >= 0) {
        const m = /^\[(.*)\]$/.exec(rest.slice(tab + 1).trim());
        module = m ? m[1]! : null;
        rest = rest.slice(0, tab);
      }
      const name = rest.trim();
      if (name) entries.push({ addr, name, module, order: order++ });
    }
    // aliases at one address: keep the first listed (stable sort by file order)
    entries.sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : a.order - b.order));
    const addrs: bigint[] = [];
    const names: string[] = [];
    const modules: Array<string | null> = [];
    for (const e of entries) {
      if (addrs.length && addrs[addrs.length - 1] === e.addr) continue;
      addrs.push(e.addr);
      names.push(e.name);
      modules.push(e.module);
    }
    return new Symbolizer(BigUint64Array.from(addrs), names, modules);
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
