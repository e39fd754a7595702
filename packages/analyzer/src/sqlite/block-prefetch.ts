// A big import's decoding worker is its slowest part (import.ts), and with
// --db the thread that owns the database mostly waits for it. While it waits,
// that thread inflates and un-shuffles the next few EVENTS blocks with a
// reader of its own and hands them over; the worker's reader takes a block
// so decoded when it is there (CaptureReader.blocks `decoded`), and decodes
// it itself when it is not. Nothing waits on the other side: the result is
// the same either way, only where the work ran differs.
import type { MessagePort } from 'node:worker_threads';
import { receiveMessageOnPort } from 'node:worker_threads';
import { BlockType, CaptureReader } from '@dropcap/format';
import { CONSUMED } from './import-channel.js';
import { planesToRecords } from './plane-records.js';

/** EVENTS blocks decoded ahead of the worker, at most. */
const AHEAD = 3;

export interface PrefetchedBlock {
  /** index of the capture in the import's paths */
  capture: number;
  offset: number;
  body: Uint8Array;
}

/** The database thread's side: decodes the EVENTS blocks of `paths` in order, a few ahead of the worker. */
export class BlockPrefetcher {
  readonly #paths: string[];
  readonly #port: MessagePort;
  readonly #signal: Int32Array;
  #capture = 0;
  #blocks: Generator<{ offset: number; body: Buffer }> | null = null;
  /** EVENTS blocks decoded so far (the worker counts those it read in CONSUMED) */
  #decoded = 0;
  #done = false;

  constructor(paths: string[], port: MessagePort, signal: Int32Array) {
    this.#paths = paths;
    this.#port = port;
    this.#signal = signal;
  }

  /** Decodes and hands over the next EVENTS block if the worker is not far behind; false when there was nothing to do. */
  step(): boolean {
    if (this.#done || this.#decoded - Atomics.load(this.#signal, CONSUMED) >= AHEAD) return false;
    try {
      for (;;) {
        this.#blocks ??= this.#eventsOf(this.#capture);
        const next = this.#blocks.next();
        if (!next.done) {
          const { offset, body } = next.value;
          // a block the worker has already read is not worth handing over
          if (this.#decoded++ < Atomics.load(this.#signal, CONSUMED)) return true;
          const own = body.byteOffset === 0 && body.byteLength === body.buffer.byteLength;
          const msg: PrefetchedBlock = { capture: this.#capture, offset, body: own ? body : Uint8Array.from(body) };
          this.#port.postMessage(msg, [msg.body.buffer as ArrayBuffer]);
          return true;
        }
        this.#blocks = null;
        if (++this.#capture >= this.#paths.length) {
          this.close();
          return false;
        }
      }
    } catch {
      // a file the worker will find damaged or unreadable: it reports that itself
      this.close();
      return false;
    }
  }

  *#eventsOf(capture: number): Generator<{ offset: number; body: Buffer }> {
    const reader = CaptureReader.open(this.#paths[capture]!);
    try {
      for (const b of reader.blocks({ planesToRecords: planesToRecords() })) if (b.type === BlockType.Events) yield b;
    } finally {
      reader.close();
    }
  }

  close(): void {
    this.#done = true;
    this.#blocks?.return(undefined);
    this.#blocks = null;
    this.#port.close();
  }
}

/** The worker's side: the bodies handed over, taken by the reader as it reaches them. */
export class PrefetchedBodies {
  readonly #port: MessagePort;
  readonly #signal: Int32Array;
  /** "capture:offset" -> body */
  readonly #bodies = new Map<string, Buffer>();

  constructor(port: MessagePort, signal: Int32Array) {
    this.#port = port;
    this.#signal = signal;
  }

  /** CaptureReader.blocks `decoded` for capture number `capture`. */
  forCapture(capture: number): (offset: number) => Buffer | undefined {
    return (offset) => this.#take(capture, offset);
  }

  #take(capture: number, offset: number): Buffer | undefined {
    for (let m = receiveMessageOnPort(this.#port); m; m = receiveMessageOnPort(this.#port)) {
      const b = m.message as PrefetchedBlock;
      this.#bodies.set(`${b.capture}:${b.offset}`, Buffer.from(b.body.buffer, b.body.byteOffset, b.body.byteLength));
    }
    Atomics.add(this.#signal, CONSUMED, 1);
    const key = `${capture}:${offset}`;
    const body = this.#bodies.get(key);
    // whatever is older than this block will never be asked for
    for (const k of this.#bodies.keys()) {
      if (k === key) break;
      this.#bodies.delete(k);
    }
    this.#bodies.delete(key);
    return body;
  }

  close(): void {
    this.#port.close();
  }
}
