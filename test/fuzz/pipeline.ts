// One hostile file through everything that reads captures: the streaming
// reader, CaptureContext, EventDecoder and the symbolizer (the live path),
// then loadCaptures (the SQLite import) and the summary, list and info
// commands in every output format. The contract checked here:
//   - the only exceptions are typed (CaptureFormatError / AnalyzerError,
//     with a code and a one-line message);
//   - both paths agree on what the file holds (events, damage, unclean stop);
//   - outputs stay in their place: no escape sequences in table output,
//     JSON that parses, CSV with one field count.
import { PassThrough } from 'node:stream';
import { BlockType, CaptureFormatError, CaptureReader } from '@dropcap/format';
import { AnalyzerError, CaptureContext, EventDecoder, loadCaptures, runInfo, runList, runSummary, type CommandIO } from '@dropcap/analyzer';

/** An exception that is not part of the contract, or outputs/paths that disagree. */
export class ContractViolation extends Error {
  override readonly name = 'ContractViolation';
}

export interface PipelineResult {
  /** 'refused': a typed error before anything was read (bad magic, version, ...) */
  outcome: 'ok' | 'refused';
  code?: string;
  events: number;
  damage: string | null;
  warnings: number;
}

export function isTypedError(err: unknown): err is CaptureFormatError | AnalyzerError {
  return (
    (err instanceof CaptureFormatError || err instanceof AnalyzerError) &&
    typeof err.code === 'string' &&
    err.code.length > 0 &&
    !err.message.includes('\n')
  );
}

function violation(where: string, err: unknown): ContractViolation {
  const e = err instanceof Error ? err : new Error(String(err));
  return new ContractViolation(`${where}: untyped ${e.name}: ${e.message}\n${e.stack ?? ''}`);
}

const DECODE_LIMIT = 20_000;

interface ReaderPass {
  events: number;
  damage: string | null;
  damageBytes: number;
  clean: boolean;
}

/** The live path: reader + context + decoder + symbolizer, as `record --print` uses them. */
function readerPass(file: string): ReaderPass | { refused: string } {
  let reader: CaptureReader;
  try {
    reader = CaptureReader.open(file);
  } catch (err) {
    if (isTypedError(err)) return { refused: err.code };
    throw violation('CaptureReader.open', err);
  }
  const ctx = new CaptureContext('fuzz');
  const dec = new EventDecoder(ctx);
  let events = 0;
  let decoded = 0;
  try {
    for (const block of reader.blocks()) {
      if (block.type !== BlockType.Events) {
        ctx.accept(block);
        continue;
      }
      const n = dec.count(block.body);
      events += n;
      for (let i = 0; i < n && decoded < DECODE_LIMIT; i++, decoded++) {
        const row = dec.decode(block.body, i);
        if (row.stack_id !== null) ctx.stackFrames(row.stack_id);
        JSON.stringify(row, (_k, v) => (typeof v === 'bigint' ? String(v) : v));
      }
    }
    for (const id of [...ctx.stacks.keys()].slice(0, 1000)) ctx.stackFrames(id);
  } catch (err) {
    throw violation('reader/decoder pass', err);
  }
  const d = reader.damage;
  if (d && (d.offset + d.bytesUnread !== reader.fileSize || d.detail.includes('\n'))) {
    throw new ContractViolation(`damage report does not cover the rest of the file: ${JSON.stringify(d)} size ${reader.fileSize}`);
  }
  return { events, damage: d ? d.cause : null, damageBytes: d?.bytesUnread ?? 0, clean: ctx.end !== null };
}

function sink() {
  const stream = Object.assign(new PassThrough(), { isTTY: false });
  const chunks: Buffer[] = [];
  stream.on('data', (d: Buffer) => chunks.push(d));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

async function command(run: (io: CommandIO) => Promise<void>): Promise<{ out: string; err: string }> {
  const out = sink();
  const err = sink();
  await run({ stdout: out.stream, stderr: err.stream, env: {} });
  return { out: out.text(), err: err.text() };
}

// Table output may hold layout whitespace; anything else below 0x20, DEL and
// C1 controls would be a capture's bytes reaching the terminal.
const TERMINAL_UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

function checkTerminal(what: string, text: string): void {
  const m = TERMINAL_UNSAFE.exec(text);
  if (m) throw new ContractViolation(`${what}: control character U+${m[0].charCodeAt(0).toString(16).padStart(4, '0')} reached table output at ${m.index}`);
}

/** RFC 4180 records (quoted fields may hold CR, LF, commas). */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let rec: string[] = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw new ContractViolation('CSV: unterminated quoted field');
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += text[i++];
      }
      if (i < text.length && text[i] !== ',' && text[i] !== '\r') throw new ContractViolation(`CSV: text after a closing quote at ${i}`);
    } else if (text[i] === ',') {
      rec.push(field);
      field = '';
      i++;
    } else if (text[i] === '\r' && text[i + 1] === '\n') {
      rec.push(field);
      records.push(rec);
      rec = [];
      field = '';
      i += 2;
    } else if (text[i] === '\r' || text[i] === '\n' || text[i] === '"') {
      throw new ContractViolation(`CSV: bare ${JSON.stringify(text[i])} outside quotes at ${i}`);
    } else {
      field += text[i++];
    }
  }
  if (field !== '' || rec.length) throw new ContractViolation('CSV: last record lacks its CRLF');
  return records;
}

function checkCsv(text: string, rows: number): void {
  const recs = parseCsv(text);
  if (recs.length !== rows + 1) throw new ContractViolation(`CSV: ${recs.length - 1} records for ${rows} drops`);
  const width = recs[0]!.length;
  const bad = recs.findIndex((r) => r.length !== width);
  if (bad >= 0) throw new ContractViolation(`CSV: record ${bad} has ${recs[bad]!.length} fields, the header ${width}`);
}

function parseJson(what: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ContractViolation(`${what}: output is not JSON (${(err as Error).message})`);
  }
}

async function typed<T>(where: string, f: () => Promise<T>): Promise<T | { refused: string }> {
  try {
    return await f();
  } catch (err) {
    if (err instanceof ContractViolation) throw err;
    if (isTypedError(err)) return { refused: err.code };
    throw violation(where, err);
  }
}

const refused = (v: unknown): v is { refused: string } => typeof v === 'object' && v !== null && 'refused' in v;

type CommandCheck = (files: string[], drops: number) => Promise<void>;

/**
 * A 1-byte record layout turns a 500 KB EVENTS block into 500k drops: the
 * import takes them all, but the output checks keep every printed byte, so
 * list output is capped to keep the harness's own memory out of the bound.
 */
const LIST_LIMIT = 5000;

/** Each analyze command and output format, with what its output must look like. */
const COMMAND_CHECKS: CommandCheck[] = [
  async (files) => {
    const r = await command((io) => runSummary({ files }, io));
    checkTerminal('summary', r.out);
    checkTerminal('summary stderr', r.err);
  },
  async (files) => void parseJson('summary --format json', (await command((io) => runSummary({ files, format: 'json' }, io))).out),
  async (files) => {
    const r = await command((io) => runList({ files, stacks: true, limit: LIST_LIMIT }, io));
    checkTerminal('list --stacks', r.out);
    checkTerminal('list stderr', r.err);
  },
  async (files, drops) => {
    const lines = (await command((io) => runList({ files, format: 'ndjson', limit: LIST_LIMIT }, io))).out.split('\n').filter((l) => l !== '');
    lines.forEach((l, i) => parseJson(`list ndjson line ${i}`, l));
    if (lines.length !== Math.min(drops, LIST_LIMIT)) throw new ContractViolation(`list printed ${lines.length} drops of ${drops}`);
  },
  async (files, drops) => checkCsv((await command((io) => runList({ files, format: 'csv', stacks: true, limit: LIST_LIMIT }, io))).out, Math.min(drops, LIST_LIMIT)),
  async (files) => {
    const r = await command((io) => runInfo({ files, format: 'table' }, io));
    checkTerminal('info', r.out);
    checkTerminal('info stderr', r.err);
  },
];

export interface PipelineOptions {
  /** 'all' command checks, or two of them chosen by this number (fuzzing rotates through them) */
  commands: 'all' | number;
}

/** Runs everything; resolves with what was read, rejects only with ContractViolation. */
export async function runPipeline(file: string, opts: PipelineOptions = { commands: 'all' }): Promise<PipelineResult> {
  const pass = readerPass(file);

  const loaded = await typed('loadCaptures', async () => {
    const a = loadCaptures([file]);
    try {
      const n = a.db.prepare('SELECT count(*) FROM drops').pluck().get() as number;
      const stat = (name: string) => a.db.prepare('SELECT value FROM stats WHERE name = ?').pluck().get(name) as number;
      // every row of the views, streamed (materializing 500k rows would measure the harness, not dropcap)
      for (const view of ['drops', 'stack_frames', 'reasons']) for (const _row of a.db.prepare(`SELECT * FROM ${view}`).iterate());
      return { n, truncated: stat('truncated_bytes'), unclean: stat('unclean_stop'), warnings: a.warnings.length };
    } finally {
      a.db.close();
    }
  });

  if (refused(pass) || refused(loaded)) {
    // both paths must refuse the same file the same way
    if (!refused(pass) || !refused(loaded) || pass.refused !== loaded.refused) {
      throw new ContractViolation(`reader and import disagree on refusing the file: ${JSON.stringify(pass)} vs ${JSON.stringify(loaded)}`);
    }
    return { outcome: 'refused', code: pass.refused, events: 0, damage: null, warnings: 0 };
  }
  if (loaded.n !== pass.events) throw new ContractViolation(`import holds ${loaded.n} drops, the decoder read ${pass.events}`);
  if (loaded.truncated !== pass.damageBytes) throw new ContractViolation(`stats say ${loaded.truncated} bytes unread, the reader ${pass.damageBytes}`);
  if (loaded.unclean !== (pass.clean ? 0 : 1)) throw new ContractViolation(`unclean_stop ${loaded.unclean} but END block ${pass.clean ? 'present' : 'absent'}`);

  const n = loaded.n;
  if (opts.commands === 'all' || opts.commands % 5 === 0) {
    // the same hostile file twice: two captures sharing one database's interned addresses, sites and stacks
    const twice = await typed('loadCaptures x2', async () => {
      const a = loadCaptures([file, file]);
      try {
        return a.db.prepare('SELECT count(*) FROM drops').pluck().get() as number;
      } finally {
        a.db.close();
      }
    });
    if (twice !== 2 * n) throw new ContractViolation(`two copies imported as ${JSON.stringify(twice)} drops, expected ${2 * n}`);
  }
  const files = [file];
  const chosen = opts.commands === 'all' ? COMMAND_CHECKS : [COMMAND_CHECKS[opts.commands % COMMAND_CHECKS.length]!, COMMAND_CHECKS[(opts.commands + 3) % COMMAND_CHECKS.length]!];
  const commands = await typed('commands', async () => {
    for (const check of chosen) await check(files, n);
    return true;
  });
  if (refused(commands)) throw new ContractViolation(`the commands refused a file the import accepted: ${commands.refused}`);
  return { outcome: 'ok', events: pass.events, damage: pass.damage, warnings: loaded.warnings };
}
