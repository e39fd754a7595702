// Live printing for `dropcap record`. It is fed the very blocks the
// capture file gets and decodes them with the analyzer's own context,
// decoder and formatters: one implementation of decoding, not two.
import { CaptureContext, EventDecoder, formatDropBlock, formatDropHeader, toJsonLine } from '@dropcap/analyzer';
import { BlockType } from '@dropcap/format';

export type LiveFormat = 'text' | 'ndjson';

/** Above this much unwritten output, drops are counted instead of printed. */
const MAX_PENDING_BYTES = 4 << 20;

export class LivePrinter {
  private readonly ctx = new CaptureContext();
  private decoder: EventDecoder | null = null;
  private headerPrinted = false;
  private skipped = 0;
  private offset = 0;

  constructor(
    private readonly out: NodeJS.WritableStream & { writableLength?: number },
    private readonly format: LiveFormat,
    private readonly withStacks = true,
  ) {}

  /** Receives every block in file order (bound: pass it as a callback). */
  readonly onBlock = (type: number, body: Buffer): void => {
    const block = { type, flags: 0, offset: this.offset, body };
    this.offset += body.length;
    if (type !== BlockType.Events) {
      this.ctx.accept(block);
      return;
    }
    this.decoder ??= new EventDecoder(this.ctx);
    const size = this.ctx.layout?.size ?? 0;
    if (size === 0) return;
    const count = Math.floor(body.length / size);
    // a terminal or pipe slower than the drop rate must not grow memory:
    // the capture keeps every event; the screen skips and says how many
    if ((this.out.writableLength ?? 0) > MAX_PENDING_BYTES) {
      this.skipped += count;
      return;
    }
    let text = '';
    if (this.skipped > 0) {
      text += this.note(`${this.skipped} drops not printed: output too slow`);
      this.skipped = 0;
    }
    if (this.format === 'text' && !this.headerPrinted) {
      text += `${formatDropHeader()}\n`;
      this.headerPrinted = true;
    }
    // a batch holds each CPU's ring in turn, not one timeline: printed in
    // time order (then CPU, as `analyze list` orders them), a batch reads
    // like the capture does afterwards
    const rows = Array.from({ length: count }, (_, i) => this.decoder!.decode(body, i));
    rows.sort((a, b) => (a.time_ns < b.time_ns ? -1 : a.time_ns > b.time_ns ? 1 : a.cpu - b.cpu));
    for (const row of rows) {
      const frames = this.frames(row.stack_id);
      if (this.format === 'ndjson') {
        text += `${toJsonLine({ ...row, stack: frames })}\n`;
      } else {
        for (const line of formatDropBlock(row, frames, { stacks: this.withStacks })) text += `${line}\n`;
      }
    }
    this.out.write(text);
  };

  /** Reports drops that were skipped at the very end. */
  flush(): void {
    if (this.skipped > 0) this.out.write(this.note(`${this.skipped} drops not printed: output too slow`));
    this.skipped = 0;
  }

  private frames(stackId: number | null): string[] {
    return stackId ? (this.ctx.stackFrames(stackId) ?? []) : [];
  }

  private note(msg: string): string {
    return this.format === 'ndjson' ? `${JSON.stringify({ note: msg })}\n` : `# ${msg}\n`;
  }
}
