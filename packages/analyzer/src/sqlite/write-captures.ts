// The import itself, wherever its rows go: every capture read block by block
// into a DbWriter, then its summary rows (captures, meta, stats, reasons,
// interfaces) and the database's markers. Runs in the import worker, or in
// the thread that owns the database for small captures.
import fs from 'node:fs';
import path from 'node:path';
import { CaptureReader } from '@dropcap/format';
import { isoFromRealtimeNs } from '../decode/clock-map.js';
import { AnalyzerError } from '../errors.js';
import { captureStats, captureWarnings } from './capture-stats.js';
import { CaptureImporter } from './capture-importer.js';
import type { DbWriter } from './db-writer.js';
import { AddrInterner, FlowInterner } from './interners.js';
import { MAX_CAPTURES } from './packing.js';
import { SymbolInterner } from './stack-interner.js';

export interface SourceIdentity {
  path: string;
  size: number;
  mtimeNs: string;
}

export function identify(p: string): SourceIdentity {
  const st = fs.statSync(p, { bigint: true });
  return { path: path.resolve(p), size: Number(st.size), mtimeNs: String(st.mtimeNs) };
}

function jsonText(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? (Number.isSafeInteger(Number(x)) ? Number(x) : String(x)) : x));
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const INT64_MAX = (1n << 63n) - 1n;
/**
 * A time or duration from an untrusted header/END block: nanoseconds that
 * SQLite's INTEGER and Date can hold, else unknown (null). One bad field
 * must not refuse a whole capture.
 */
const big = (v: unknown): bigint | null => {
  const n = typeof v === 'bigint' ? v : typeof v === 'number' && Number.isFinite(v) ? BigInt(Math.trunc(v)) : null;
  return n !== null && n >= 0n && n <= INT64_MAX ? n : null;
};
const saneSum = (a: bigint, b: bigint): bigint | null => (a + b <= INT64_MAX ? a + b : null);

/**
 * Writes every capture into `w`; returns the warnings. Throws before writing
 * anything for a bad file. `decodedFor` gives capture i's reader the EVENTS
 * bodies another thread decoded (CaptureReader.blocks `decoded`).
 */
export function writeCaptures(w: DbWriter, paths: string[], decodedFor?: (capture: number) => (offset: number) => Buffer | undefined): string[] {
  const addrs = new AddrInterner(w);
  const symbols = new SymbolInterner(w);
  const flows = new FlowInterner();
  const warnings: string[] = [];
  if (paths.length > MAX_CAPTURES) {
    throw new AnalyzerError('NO_CAPTURES', `${paths.length} captures given; one database holds at most ${MAX_CAPTURES}, load them in groups`);
  }
  // open all first: a bad magic or version fails before any work
  const readers = paths.map((p) => CaptureReader.open(p));
  const total = readers.reduce((s, r) => s + (r.fileSize ?? 0), 0);
  const sources = paths.map(identify);
  let doneBefore = 0;

  readers.forEach((reader, i) => {
    const captureId = i + 1;
    const label = paths[i]!;
    const imp = new CaptureImporter(w, captureId, label, addrs, symbols, flows);
    imp.importFile(reader, () => w.sink.progress(doneBefore + reader.bytesRead, total), decodedFor?.(i));
    doneBefore += reader.bytesRead;
    const ctx = imp.ctx;
    const counts = imp.counts;
    const stats = captureStats(ctx, counts, reader.damage, reader.unknownBlocks);
    warnings.push(...ctx.warnings, ...captureWarnings(label, stats, reader.damage));

    const header = ctx.header ?? {};
    const startPair = header.start_clocks as Record<string, unknown> | undefined;
    let startNs = big(startPair?.realtime_ns) ?? counts.firstNs;
    let endNs = counts.lastNs;
    if (ctx.lastMonotonicNs !== null) {
      const t = ctx.clocks.toRealtimeNs(ctx.lastMonotonicNs);
      if (endNs === null || t > endNs) endNs = t;
    }
    const dur = big(ctx.end?.duration_ns);
    const byDuration = startNs !== null && dur !== null ? saneSum(startNs, dur) : null;
    if (byDuration !== null && (endNs === null || byDuration > endNs)) endNs = byDuration;
    if (startNs === null) startNs = endNs;
    const lost = stats.find((s) => s.name === 'lost_events')!.value;
    w.capture.add(
      captureId,
      label,
      ctx.hostname,
      str(header.kernel_release),
      str(header.attach),
      startNs,
      endNs,
      startNs === null ? null : isoFromRealtimeNs(startNs),
      endNs === null ? null : isoFromRealtimeNs(endNs),
      startNs !== null && endNs !== null ? Number(endNs - startNs) / 1e9 : null,
      counts.events,
      lost,
      ctx.end ? 1 : 0,
      sources[i]!.size,
      BigInt(sources[i]!.mtimeNs),
      `${reader.major}.${reader.minor}`,
    );
    for (const [key, value] of Object.entries(header)) w.meta.add(captureId, key, typeof value === 'string' ? value : jsonText(value));
    for (const s of stats) w.stat.add(captureId, s.name, s.severity, s.value, s.description);
    for (const r of ctx.reasons.entries()) w.reasonEnum.add(captureId, r.code, r.name, r.enumName, r.enumType);
    for (const itf of ctx.interfaces) w.iface.add(captureId, itf.netns, itf.ifindex, itf.name);
  });
  flows.write(w);
  w.marker.add('sources', JSON.stringify(sources));
  w.marker.add('warnings', JSON.stringify(warnings));
  w.marker.add('complete', '1');
  return warnings;
}
