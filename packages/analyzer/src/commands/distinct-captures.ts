/**
 * Overlapping globs (`dropcap analyze web*.dcap *.dcap`) or `a.dcap ./a.dcap`
 * name one capture twice, and every count would double. A capture is the
 * same when it is the same file (device and inode: any spelling of its path,
 * a symlink, a hard link) or a copy of the same recording (same host name, boot id and
 * start clocks in its HEADER block: a boot id is random per boot, and one
 * boot never starts two recordings at the same nanosecond). The first name given is kept.
 */
import fs from 'node:fs';
import { BlockType, CaptureReader } from '@dropcap/format';
import { CaptureContext } from '../decode/capture-context.js';

export interface DistinctCaptures {
  /** the paths to load, in the order given */
  files: string[];
  /** one warning per path left out */
  skipped: string[];
}

/**
 * The recording a regular file holds, from its HEADER block; null when it
 * cannot tell (damaged, not a capture): the import then reports the file.
 * A pipe is never read here, or the import would find it drained.
 */
function recordingKey(file: string, stat: fs.Stats): string | null {
  if (!stat.isFile()) return null;
  try {
    const reader = CaptureReader.open(file);
    try {
      for (const block of reader.blocks()) {
        if (block.type !== BlockType.Header) return null;
        const ctx = new CaptureContext(file);
        ctx.accept(block);
        const { boot_id: bootId, start_clocks: startClocks } = ctx.header ?? {};
        if (typeof bootId !== 'string' || startClocks === undefined) return null;
        const clocks = JSON.stringify(startClocks, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
        return `recording ${JSON.stringify([ctx.hostname, bootId, clocks])}`;
      }
      return null;
    } finally {
      reader.close();
    }
  } catch {
    return null;
  }
}

export function distinctCaptures(paths: readonly string[]): DistinctCaptures {
  const files: string[] = [];
  const skipped: string[] = [];
  const firstWith = new Map<string, string>();
  for (const file of paths) {
    const stat = fs.statSync(file, { throwIfNoEntry: false });
    // a missing or unreadable file is the import's to report
    const keys = stat ? [`file ${stat.dev}:${stat.ino}`, recordingKey(file, stat)] : [];
    const seen = keys.map((k) => (k === null ? undefined : firstWith.get(k))).find((p) => p !== undefined);
    if (seen !== undefined) {
      skipped.push(`${file} is the same capture as ${seen}: skipped, so its drops are not counted twice`);
      continue;
    }
    for (const k of keys) if (k !== null) firstWith.set(k, file);
    files.push(file);
  }
  return { files, skipped };
}
