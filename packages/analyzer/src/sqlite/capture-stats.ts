// The stats rows of one capture (Perfetto-style name / severity / value),
// from the last STATS block (cumulative, authoritative), what the import
// counted, and what the reader could not read.
import type { Damage, DamageCause } from '@dropcap/format';
import type { CaptureContext } from '../decode/capture-context.js';
import type { EventCounts } from './capture-importer.js';

export type Severity = 'info' | 'data_loss' | 'error';

export interface StatRow {
  name: string;
  severity: Severity;
  value: number;
  description: string;
}

function n(v: unknown): number {
  return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : 0;
}

function section(stats: Record<string, unknown> | null, key: string): Record<string, unknown> {
  const v = stats?.[key];
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

// The damage the reader stopped at, in words.
const DAMAGE_WORDS: Record<DamageCause, string> = {
  truncated: 'file cut short',
  checksum: 'block checksum mismatch',
  too_large: 'block declaring an impossible size',
  decode: 'block that could not be decoded',
};

/** How the unclean_stop description starts when reading stopped before the end (summary-text reads it). */
export const END_NOT_REACHED = 'END block not reached';

/**
 * Damage other than a cut file stops the reader with bytes left: the END
 * block may well be among them, so "the recording was cut short" would
 * blame the recorder for what is a damaged file.
 */
function uncleanStopDescription(damage: Damage | null): string {
  if (damage === null || damage.cause === 'truncated') return '1 when the file has no END block: the recording was cut short.';
  return `${END_NOT_REACHED}: reading stopped at the ${DAMAGE_WORDS[damage.cause]} at byte ${damage.offset}; whether the recording stopped cleanly is unknown.`;
}

export function captureStats(ctx: CaptureContext, counts: EventCounts, damage: Damage | null, unknownBlocks: number): StatRow[] {
  const kernel = section(ctx.stats, 'counters');
  const user = section(ctx.stats, 'user');
  const haveStats = ctx.stats !== null;
  const ringbufLost = n(kernel.ringbuf_lost);
  const eventsDropped = n(user.events_dropped);
  const rows: StatRow[] = [
    { name: 'events', severity: 'info', value: counts.events, description: 'Drops imported from the capture.' },
    {
      name: 'lost_events',
      severity: 'data_loss',
      value: ringbufLost + eventsDropped,
      description: 'Drops counted but not recorded: ringbuf_lost + events_dropped (last STATS block).',
    },
    { name: 'ringbuf_lost', severity: 'data_loss', value: ringbufLost, description: 'Kernel could not reserve ring-buffer space: event lost.' },
    { name: 'events_dropped', severity: 'data_loss', value: eventsDropped, description: 'Events the recorder received but could not write.' },
    { name: 'batches_dropped', severity: 'data_loss', value: n(user.batches_dropped), description: 'Batches the recorder could not write.' },
    { name: 'bad_header', severity: 'data_loss', value: n(kernel.bad_header), description: 'Drops whose packet headers could not be read (not recorded).' },
    { name: 'seen', severity: 'info', value: n(kernel.seen), description: 'TCP drops that passed the filters, in the kernel.' },
    { name: 'filtered', severity: 'info', value: n(kernel.filtered), description: 'TCP drops rejected by the recording filters.' },
    { name: 'not_tcp', severity: 'info', value: n(kernel.not_tcp), description: 'Drops of other protocols (ignored by design).' },
    { name: 'stackless_events', severity: 'info', value: counts.stackless, description: 'Imported drops without a kernel stack.' },
    {
      name: 'stack_budget',
      severity: 'info',
      value: haveStats ? n(kernel.stack_budget) : counts.budget,
      description: 'Drops recorded without a stack because the per-CPU stack budget was spent.',
    },
    {
      name: 'stack_error',
      severity: 'error',
      value: haveStats ? n(kernel.stack_error) : counts.stackError,
      description: 'Drops recorded without a stack because bpf_get_stack() failed.',
    },
    { name: 'missing_stacks', severity: 'error', value: counts.missingStacks, description: 'Drops referencing a stack id absent from the STACKS blocks.' },
    { name: 'truncated_bytes', severity: 'data_loss', value: damage?.bytesUnread ?? 0, description: damage ? `Bytes not read: ${DAMAGE_WORDS[damage.cause]} at byte ${damage.offset}.` : 'Bytes not read at the end of a damaged file.' },
    { name: 'unknown_blocks', severity: 'info', value: unknownBlocks, description: 'Blocks of types this version does not know (skipped).' },
    { name: 'unclean_stop', severity: 'data_loss', value: ctx.end ? 0 : 1, description: uncleanStopDescription(damage) },
    { name: 'stats_blocks', severity: haveStats ? 'info' : 'error', value: counts.statsBlocks, description: 'STATS blocks read; 0 means losses are unknown.' },
    { name: 'no_clocks', severity: 'error', value: ctx.clocks.pairs === 0 ? 1 : 0, description: '1 when the capture has no clock pair: times are kernel monotonic, not wall clock.' },
  ];
  if (counts.eventsWithoutLayout) {
    rows.push({ name: 'events_without_layout', severity: 'error', value: counts.eventsWithoutLayout, description: 'Events before any RECORD_LAYOUT block (not imported).' });
  }
  if (counts.partialRecordBytes) {
    rows.push({ name: 'partial_record_bytes', severity: 'error', value: counts.partialRecordBytes, description: 'Bytes at the end of EVENTS blocks that do not make a whole record.' });
  }
  return rows;
}

/** One line per problem, for the warnings of loadCaptures. */
export function captureWarnings(label: string, stats: StatRow[], damage: Damage | null): string[] {
  const v = (name: string) => stats.find((s) => s.name === name)?.value ?? 0;
  const out: string[] = [];
  if (damage) out.push(`${damage.detail}: ${damage.bytesUnread} bytes unread; drops before that point were imported`);
  if (v('lost_events') > 0) out.push(`${label}: ${v('lost_events')} drops were LOST while recording (ringbuf_lost ${v('ringbuf_lost')}, events_dropped ${v('events_dropped')})`);
  if (v('unclean_stop')) {
    const unreached = damage !== null && damage.cause !== 'truncated';
    out.push(unreached ? `${label}: ${uncleanStopDescription(damage).replace(/\.$/, '')}` : `${label}: no END block: the recording was cut short (killed, crashed or disk full)`);
  }
  if (v('unknown_blocks')) out.push(`${label}: skipped ${v('unknown_blocks')} blocks of unknown type (written by a newer dropcap?)`);
  if (v('missing_stacks')) out.push(`${label}: ${v('missing_stacks')} drops reference stacks that are not in the file`);
  if (v('no_clocks')) out.push(`${label}: no clock pairs: times are shown as kernel monotonic time`);
  if (v('events_without_layout')) out.push(`${label}: ${v('events_without_layout')} events came before the record layout and were skipped`);
  return out;
}
