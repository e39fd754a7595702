/**
 * The summary as text: capture info, totals, top tables, top stacks and
 * drops over time. Pure: data in, lines out. The data-loss warnings
 * (dataLossWarnings) are not in it: the command prints them on stderr, like
 * every analyze command's warnings, so they reach the terminal when the
 * report is redirected.
 */
import type { SummaryData, SummaryStat } from '../commands/summary-data.js';
import { END_NOT_REACHED } from '../sqlite/capture-stats.js';
import { palette, type Palette } from './color.js';
import { formatTimeOfDay } from './drop-line.js';
import { formatDuration, sparkline } from './histogram.js';
import { sanitizeTerminal } from './sanitize.js';
import { formatStack } from './stack.js';
import { formatTable } from './table.js';

export interface SummaryTextOptions {
  readonly color?: boolean;
  /** Block characters for the histogram (else ASCII). */
  readonly unicode?: boolean;
  /** Time of day on the histogram axis: local (as `list` prints) or UTC. */
  readonly time?: 'local' | 'utc';
  /** Frames shown per top stack (after trimming the tracing frames). */
  readonly stackDepth?: number;
}

const clean = (v: unknown) => sanitizeTerminal(v === null || v === undefined ? '' : String(v));
const indent = (lines: string[], by = '  ') => lines.map((l) => (l === '' ? l : by + l));
const percent = (share: number) => `${(share * 100).toFixed(1)}%`;
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

// Parts of lost_events (its sum), or reported as a note instead.
const NOT_WARNED = new Set(['ringbuf_lost', 'events_dropped', 'stack_error']);

/**
 * One line per data-loss or error statistic that signals a problem, most
 * important first: lost events in the exact wording users grep for.
 */
export function dataLossWarnings(stats: readonly SummaryStat[], captureCount: number): string[] {
  const lost: string[] = [];
  const lines: string[] = [];
  for (const s of stats) {
    if (s.severity !== 'data_loss' && s.severity !== 'error') continue;
    if (NOT_WARNED.has(s.name)) continue;
    const where = captureCount > 1 ? ` in capture ${s.capture_id}` : '';
    const subject = captureCount > 1 ? `capture ${s.capture_id}` : 'the capture';
    // stats_blocks is an error when it is 0: nobody counted the losses.
    if (s.name === 'stats_blocks') {
      if (s.value === 0) lines.push(`${subject} has no STATS block: how many events were lost is unknown`);
      continue;
    }
    if (s.value <= 0) continue;
    switch (s.name) {
      case 'lost_events':
        lost.push(`${plural(s.value, 'event')} lost (ring buffer full)${where}`);
        break;
      case 'unclean_stop':
        // reading stopped at damage (a checksum mismatch...): the recorder is not to blame
        lines.push(
          s.description?.startsWith(END_NOT_REACHED)
            ? `${subject}'s END block was not reached${clean(s.description.slice(END_NOT_REACHED.length).replace(/\.$/, ''))}`
            : `${subject} did not end cleanly (recorder killed?); read up to its last complete block`,
        );
        break;
      case 'truncated_bytes':
        lines.push(`${plural(s.value, 'byte')} of ${subject} could not be read${s.description ? ` (${clean(s.description)})` : ''}`);
        break;
      case 'missing_stacks':
        lines.push(`${plural(s.value, 'drop')}${where} reference stacks that are not in the file`);
        break;
      case 'no_clocks':
        lines.push(`${subject} has no clock pairs: times are kernel monotonic time, not wall clock`);
        break;
      case 'bad_header':
        lines.push(`${plural(s.value, 'drop')}${where} not recorded: packet headers unreadable`);
        break;
      default:
        // A counter this version has no words for: name, value and its own description.
        lines.push(`${clean(s.name)} = ${s.value}${where}${s.description ? `: ${clean(s.description)}` : ''}`);
    }
  }
  return [...lost, ...lines];
}

/** Informational notes worth a line (stack-less events). */
function infoNotes(stats: readonly SummaryStat[]): string[] {
  const sum = (name: string) => stats.filter((s) => s.name === name).reduce((a, s) => a + s.value, 0);
  const notes: string[] = [];
  const budget = sum('stack_budget');
  const error = sum('stack_error');
  if (budget > 0) notes.push(`note: ${plural(budget, 'drop')} recorded without a stack (per-CPU stack budget spent)`);
  if (error > 0) notes.push(`note: ${plural(error, 'drop')} recorded without a stack (the kernel could not walk it)`);
  const unknown = sum('unknown_blocks');
  if (unknown > 0) notes.push(`note: skipped ${plural(unknown, 'block')} of unknown type (written by a newer dropcap?)`);
  return notes;
}

function captureLines(data: SummaryData, p: Palette): string[] {
  const lines: string[] = [];
  for (const c of data.captures) {
    lines.push(p.bold(`Capture ${c.capture_id}`) + (c.path ? `  ${clean(c.path)}` : ''));
    const rows: Array<[string, string]> = [
      ['host', clean(c.host)],
      ['kernel', clean(c.kernel_release)],
      ['attach', clean(c.attach)],
      ['start', clean(c.start_time)],
      ['end', clean(c.end_time)],
      ['duration', c.duration_s === null ? '' : `${c.duration_s.toFixed(1)} s`],
      ['events', c.events === null ? '' : String(c.events)],
    ];
    lines.push(...indent(rows.filter(([, v]) => v !== '').map(([k, v]) => `${k.padEnd(9)} ${v}`)));
  }
  return lines;
}

function stackLines(data: SummaryData, depth: number): string[] {
  const lines: string[] = [];
  data.top_stacks.forEach((s, i) => {
    lines.push(`  #${i + 1}  ${plural(s.drops, 'drop')}  (stack ${s.stack_id}${s.location ? `, at ${clean(s.location)}` : ''})`);
    const frames = formatStack(s.frames, { location: s.location });
    lines.push(...frames.slice(0, depth));
    if (frames.length > depth) lines.push(`\t... ${plural(frames.length - depth, 'more frame')}`);
  });
  return lines;
}

function timelineLines(data: SummaryData, opts: SummaryTextOptions): string[] {
  const t = data.timeline;
  if (!t) return [];
  const unicode = opts.unicode !== false;
  const endNs = t.start_ns + t.bucket_ns * BigInt(t.counts.length);
  const at = (ns: bigint) => formatTimeOfDay({ time_ns: ns }, opts.time ?? 'local');
  const label = (s: string) => s.length > 24 ? `${s.slice(0, 23)}…` : s.padEnd(24);
  const line = (name: string, counts: number[]) => {
    const max = Math.max(0, ...counts);
    return `${label(name)} ${sparkline(counts, { unicode })}  max ${max} per ${formatDuration(t.bucket_ns)}`;
  };
  return [
    `1 column = ${formatDuration(t.bucket_ns)}, ${at(t.start_ns)} to ${at(endNs)}${opts.time === 'utc' ? ' UTC' : ''}`,
    line('all', t.counts),
    ...t.by_reason.map((r) => line(clean(r.reason), r.counts)),
  ];
}

/** The whole summary, line by line. */
export function formatSummary(data: SummaryData, opts: SummaryTextOptions = {}): string[] {
  const p = palette(opts.color === true);
  const table = (columns: string[], rows: unknown[][]) => indent(formatTable(columns, rows, { color: opts.color }));
  const section = (title: string, body: string[]) => (body.length > 0 ? ['', p.bold(title), ...body] : []);
  const t = data.totals;
  const notes = infoNotes(data.stats);

  return [
    ...captureLines(data, p),
    ...(notes.length > 0 ? ['', ...notes.map((n) => p.dim(n))] : []),
    ...section('Totals', [
      `  ${plural(t.drops, 'drop')}${data.filtered ? ` matching the filters (of ${t.all_drops})` : ''}, ` +
        `${plural(t.reasons, 'reason')}, ${plural(t.sites, 'drop site')}, ${plural(t.flows, 'flow')}, ${t.with_stack} with a stack`,
    ]),
    ...section(
      'Top reasons',
      data.top_reasons.length === 0 ? [] : table(
        ['reason', 'code', 'drops', 'share'],
        data.top_reasons.map((r) => [r.reason, r.reason_code, r.drops, percent(r.share)]),
      ),
    ),
    ...section(
      'Top drop sites',
      data.top_sites.length === 0 ? [] : table(['function', 'drops', 'reasons'], data.top_sites.map((s) => [s.function, s.drops, s.reasons])),
    ),
    ...section(
      'Top flows',
      data.top_flows.length === 0 ? [] : table(
        ['flow', 'drops', 'reasons'],
        data.top_flows.map((f) => [`${f.saddr}:${f.sport} > ${f.daddr}:${f.dport}`, f.drops, f.reasons]),
      ),
    ),
    ...section('Top stacks', stackLines(data, opts.stackDepth ?? 8)),
    ...section('Drops over time', indent(timelineLines(data, opts))),
  ];
}
