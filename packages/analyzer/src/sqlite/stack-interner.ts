// Stacks normalized Perfetto-style: symbols (global), frames (per capture:
// an address means something only with that capture's kallsyms), callsites
// (a prefix tree from the outermost frame). A capture's stack id maps to its
// leaf callsite, and the leaf's frames are listed once in _stack_frame_list.
import type { StackEntry } from '@dropcap/format';
import type { Symbolizer } from '../decode/symbolizer.js';
import type { DbWriter } from './db-writer.js';

/** Symbols shared by every capture of the database. */
export class SymbolInterner {
  readonly #w: DbWriter;
  readonly #ids = new Map<string, number>();

  constructor(w: DbWriter) {
    this.#w = w;
  }

  id(name: string, module: string | null): number {
    const key = `${name}\0${module ?? ''}`;
    let id = this.#ids.get(key);
    if (id === undefined) {
      id = this.#w.nextSymbolId++;
      this.#w.symbol.add(id, name, module);
      this.#ids.set(key, id);
    }
    return id;
  }
}

export class StackInterner {
  readonly #w: DbWriter;
  readonly #captureId: number;
  readonly #symbolizer: () => Symbolizer;
  readonly #symbols: SymbolInterner;
  readonly #frames = new Map<bigint, number>();
  readonly #callsites = new Map<string, number>();
  readonly #listed = new Set<number>();
  /** stack id in the file -> leaf callsite id (null for an empty stack) */
  readonly leaves = new Map<number, number | null>();

  constructor(w: DbWriter, captureId: number, symbols: SymbolInterner, symbolizer: () => Symbolizer) {
    this.#w = w;
    this.#captureId = captureId;
    this.#symbols = symbols;
    this.#symbolizer = symbolizer;
  }

  add(stack: StackEntry): void {
    let parent: number | null = null;
    const frames = stack.frames;
    const frameIds: number[] = new Array(frames.length);
    for (let depth = 0; depth < frames.length; depth++) {
      // the tree grows from the outermost caller; frames are innermost first
      const frameId = this.#frame(frames[frames.length - 1 - depth]!);
      frameIds[frames.length - 1 - depth] = frameId;
      const key = `${parent ?? 0}:${frameId}`;
      let cs = this.#callsites.get(key);
      if (cs === undefined) {
        cs = this.#w.nextCallsiteId++;
        this.#w.callsite.add(cs, parent, depth, frameId);
        this.#callsites.set(key, cs);
      }
      parent = cs;
    }
    this.leaves.set(stack.id, parent);
    if (parent !== null && !this.#listed.has(parent)) {
      this.#listed.add(parent);
      for (let d = 0; d < frameIds.length; d++) this.#w.frameList.add(parent, d, frameIds[d]!);
    }
  }

  #frame(addr: bigint): number {
    let id = this.#frames.get(addr);
    if (id === undefined) {
      id = this.#w.nextFrameId++;
      const hit = this.#symbolizer().lookup(addr);
      const symbolId = hit ? this.#symbols.id(hit.name, hit.module) : null;
      this.#w.frame.add(id, this.#captureId, BigInt.asIntN(64, addr), symbolId, hit ? hit.offset : null);
      this.#frames.set(addr, id);
    }
    return id;
  }
}
