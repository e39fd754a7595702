// The captures table as typed objects.
import type Database from 'better-sqlite3';

export interface CaptureInfo {
  capture_id: number;
  path: string;
  host: string;
  kernel_release: string | null;
  attach: string | null;
  start_ns: bigint | null;
  end_ns: bigint | null;
  start_time: string | null;
  end_time: string | null;
  duration_s: number | null;
  events: number;
  lost_events: number;
  clean_stop: boolean;
  file_size: number;
  format_version: string;
}

export function readCaptures(db: Database.Database): CaptureInfo[] {
  const rows = db.prepare('SELECT * FROM captures ORDER BY capture_id').safeIntegers(true).all() as Array<Record<string, unknown>>;
  const num = (v: unknown) => (typeof v === 'bigint' ? Number(v) : (v as number));
  return rows.map((r) => ({
    capture_id: num(r.capture_id),
    path: String(r.path),
    host: String(r.host ?? ''),
    kernel_release: (r.kernel_release as string | null) ?? null,
    attach: (r.attach as string | null) ?? null,
    start_ns: (r.start_ns as bigint | null) ?? null,
    end_ns: (r.end_ns as bigint | null) ?? null,
    start_time: (r.start_time as string | null) ?? null,
    end_time: (r.end_time as string | null) ?? null,
    duration_s: r.duration_s === null || r.duration_s === undefined ? null : Number(r.duration_s),
    events: num(r.events),
    lost_events: num(r.lost_events),
    clean_stop: num(r.clean_stop) === 1,
    file_size: num(r.file_size),
    format_version: String(r.format_version),
  }));
}
