/**
 * `dropcap analyze info FILE...`: what each capture is (host, kernel, attach
 * method, time span) and its health (the `stats` view: lost events,
 * truncation, unknown blocks), plus the recorder's header (`meta`).
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { Argv, CommandModule } from 'yargs';
import { palette, shouldUseColor } from '../output/color.js';
import { withOutputOptions, type OutputOptions } from '../output/format-option.js';
import { stringifyJson } from '../output/json.js';
import { sanitizeTerminal } from '../output/sanitize.js';
import { formatTable } from '../output/table.js';
import { writeLines } from '../output/write-lines.js';
import { withCaptureOptions, withCaptures, type CaptureOptions } from './capture-options.js';
import { processIO, type CommandIO } from './io.js';
import { withUsageHint } from './usage-hint.js';

export interface InfoArgs extends CaptureOptions, OutputOptions {}

export interface CaptureInfoRecord {
  capture: Record<string, unknown>;
  meta: Record<string, unknown>;
  stats: Array<Record<string, unknown>>;
}

export function withInfoOptions<T>(yargs: Argv<T>): Argv<T & InfoArgs> {
  return withOutputOptions(withCaptureOptions(yargs), ['table', 'json', 'ndjson'])
    .example('$0 analyze info x.dcap', 'host, kernel, time span and health')
    .example('$0 analyze info *.dcap --format ndjson', 'one JSON object per capture') as unknown as Argv<T & InfoArgs>;
}

/** One record per capture: its `captures` row, its `meta` as a map, its `stats`. */
export function collectInfo(db: BetterSqlite3.Database): CaptureInfoRecord[] {
  // start_ns, end_ns and file_mtime_ns exceed 2^53: read as bigint, printed exactly
  const captures = db.prepare('SELECT * FROM captures ORDER BY capture_id').safeIntegers(true).all() as Array<Record<string, unknown>>;
  const metaOf = db.prepare('SELECT key, value FROM meta WHERE capture_id = ? ORDER BY key');
  const statsOf = db.prepare('SELECT name, severity, value, description FROM stats WHERE capture_id = ? ORDER BY name');
  return captures.map((capture) => ({
    capture,
    meta: Object.fromEntries((metaOf.all(capture.capture_id) as Array<{ key: string; value: unknown }>).map((m) => [m.key, m.value])),
    stats: statsOf.all(capture.capture_id) as Array<Record<string, unknown>>,
  }));
}

function infoText(records: CaptureInfoRecord[], color: boolean): string[] {
  const p = palette(color);
  const lines: string[] = [];
  for (const { capture, meta, stats } of records) {
    if (lines.length > 0) lines.push('');
    lines.push(p.bold(`Capture ${sanitizeTerminal(String(capture.capture_id))}`));
    const fields = Object.entries(capture).filter(([k, v]) => k !== 'capture_id' && v !== null && v !== undefined);
    const metaFields = Object.entries(meta).filter(([k]) => !(k in capture));
    lines.push(...formatTable(['field', 'value'], [...fields, ...metaFields], { color }).slice(2).map((l) => `  ${l}`));
    lines.push('', p.bold('  Stats'));
    const rows = stats.map((s) => [s.name, s.severity, s.value, s.description]);
    lines.push(
      ...formatTable(['name', 'severity', 'value', 'description'], rows, { color }).map((l, i) => {
        const severity = stats[i - 2]?.severity;
        const value = Number(stats[i - 2]?.value ?? 0);
        // Data loss in red, so a damaged capture is noticed at a glance.
        return `  ${(severity === 'data_loss' || severity === 'error') && value > 0 ? p.red(l) : l}`;
      }),
    );
  }
  return lines;
}

export async function runInfo(args: InfoArgs, io: CommandIO = processIO()): Promise<void> {
  // captures, meta and stats only: no per-drop rows needed
  const records = await withCaptures(args, io, { dropRows: false }, async (analysis) => collectInfo(analysis.db));
  switch (args.format) {
    case 'json':
      await writeLines([stringifyJson(records.map(flatten), 2)], io.stdout);
      return;
    case 'ndjson':
      await writeLines(records.map((r) => stringifyJson(flatten(r))), io.stdout);
      return;
    default:
      await writeLines(infoText(records, shouldUseColor(io.stdout, io.env)), io.stdout);
  }
}

const flatten = (r: CaptureInfoRecord) => ({ ...r.capture, meta: r.meta, stats: r.stats });

export function createInfoCommand(io?: CommandIO): CommandModule<object, InfoArgs> {
  return {
    command: 'info <files..>',
    describe: 'show where and how each capture was recorded, and what it lost',
    builder: (yargs) => withUsageHint(withInfoOptions(yargs), 'dropcap analyze info --help'),
    handler: (args) => runInfo(args, io ?? processIO()),
  };
}
