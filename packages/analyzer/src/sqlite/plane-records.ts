// Deflate-planes EVENTS bodies put back into records by WebAssembly SIMD
// (wasm/plane-records.c): the format package's JavaScript un-shuffle ran at
// ~0.6 GB/s and was the largest cost of the thread that reads ahead for the
// import (block-prefetch.ts). The format package's JavaScript stays the
// reference; test/unit/analyzer-plane-records.test.ts holds the two to the same bytes.
import type { Planes, PlanesToRecords } from '@dropcap/format';
import { instantiate, type WasmMemory } from './wasm-module.js';

interface Exports {
  memory: WasmMemory;
  pr_reserve(bytes: number): number;
  pr_records(n: number, size: number, bitmap: number, values: number, varyingBytes: number): number;
}

class PlaneRecords {
  readonly #x = instantiate<Exports>('plane-records');
  #reserved = 0;
  #at = 0;

  /** PlanesToRecords; an instance is one thread's (one JS realm's) only. */
  readonly toRecords = (planes: Planes, recordSize: number, out: Buffer): void => {
    const { n, stored, head, varying } = planes;
    // the buffer: the varying planes, the records (16 spare bytes for the
    // last 16-byte store), then the bitmap and the constant planes' bytes
    // as they lie in the stored body
    const recordsAt = (varying.length + 15) & ~15;
    const constants = stored.subarray(0, head + recordSize - planes.varyingCount);
    const headAt = recordsAt + n * recordSize + 16;
    const need = headAt + constants.length;
    if (need > this.#reserved) {
      // doubling: bodies of one capture have much the same size
      const bytes = Math.max(need, this.#reserved * 2);
      this.#at = this.#x.pr_reserve(bytes);
      if (this.#at === 0) throw new Error(`out of memory putting a block of ${out.length} bytes back together (WebAssembly memory is limited to 4 GiB)`);
      this.#reserved = bytes;
    }
    const mem = new Uint8Array(this.#x.memory.buffer);
    const at = this.#at;
    mem.set(varying, at);
    mem.set(constants, at + headAt);
    const records = this.#x.pr_records(n, recordSize, at + headAt, at + headAt + head, varying.length);
    if (records === 0) throw new Error(`internal: WebAssembly refused a block of ${n} ${recordSize}-byte records`);
    out.set(mem.subarray(records, records + n * recordSize));
  };
}

let instance: PlaneRecords | null = null;

/** This thread's PlanesToRecords, for CaptureReader.blocks. */
export function planesToRecords(): PlanesToRecords {
  instance ??= new PlaneRecords();
  return instance.toRecords;
}
