// The one line `dropcap record` prints when it ends.
import type { RecordSummary } from './session.js';

export function formatSummaryLine(s: RecordSummary, output: string | null): string {
  const seconds = Number(s.durationNs) / 1e9;
  const parts = [
    `${s.events} ${s.events === 1 ? 'event' : 'events'}`,
    `${s.lost} lost`,
    `${s.stackless} without stack`,
    output === null ? 'no file' : `${formatBytes(s.bytes)}${output === '-' ? ' to stdout' : ` in ${output}`}`,
    `${seconds.toFixed(1)} s`,
    `via ${s.attach}`,
  ];
  return `dropcap: ${parts.join(', ')}`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1 << 20) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1 << 30) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  return `${(n / (1 << 30)).toFixed(2)} GiB`;
}
