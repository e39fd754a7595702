import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { BlockType, CaptureReader, EventFlags } from '@dropcap/format';
import { CaptureContext, DROP_COLUMNS, EventDecoder, loadCaptures, type DropRow } from '@dropcap/analyzer';
import { CLOCK_OFFSET_NS, KERNEL, START_MONO, tmpDir, writeSyntheticCapture, type EventSpec } from '../support/synthetic-capture.js';

const t = tmpDir('dropcap-import-');
afterAll(() => t.cleanup());

/** A varied mix: both families, several reasons (one subsystem, one unknown), stacks and stack-less drops. */
function mixedEvents(n: number): EventSpec[] {
  const out: EventSpec[] = [];
  for (let i = 0; i < n; i++) {
    const v6 = i % 5 === 0;
    out.push({
      ts_ns: START_MONO + BigInt(i) * 1_000_000n,
      family: v6 ? 6 : 4,
      saddr: v6 ? '2001:db8::' + (i % 3) : `10.0.0.${i % 7}`,
      daddr: v6 ? '::1' : '127.0.0.1',
      sport: 40000 + (i % 50),
      dport: i % 2 ? 80 : 443,
      reason: [3, 12, 30, (3 << 16) | 1, 99][i % 5],
      location: i % 2 ? KERNEL.tcp_v4_rcv + 0x91n : KERNEL.nft_do_chain + 0x10n,
      stack_id: i % 3 === 0 ? 1 : i % 3 === 1 ? 2 : 0,
      flags: i % 3 === 2 ? EventFlags.STACK_BUDGET : EventFlags.STACK,
      state: i % 13,
      tcp_flags: i & 0xff,
      cpu: i % 2,
      pid: 100 + (i % 4),
      tid: 100 + (i % 4),
      comm: `proc${i % 4}`,
      seq: (i * 2654435761) >>> 0,
      ack_seq: (i * 40503) >>> 0,
      window: i % 65536,
      len: 40 + i,
      mark: i % 3,
      sk_source: i % 3,
      ifindex: i % 2 ? 1 : 2,
    });
  }
  return out;
}

function decodeWithEventDecoder(file: string, captureId: number): DropRow[] {
  const ctx = new CaptureContext(file);
  const dec = new EventDecoder(ctx, { captureId });
  const rows: DropRow[] = [];
  for (const b of CaptureReader.open(file).blocks()) {
    if (b.type !== BlockType.Events) ctx.accept(b);
    else for (let i = 0; i < dec.count(b.body); i++) rows.push(dec.decode(b.body, i));
  }
  return rows;
}

/** Every row of the drops view equals EventDecoder's decoding of the same record, field for field. */
function expectDropsEqualDecoder(a: ReturnType<typeof loadCaptures>, file: string, n: number): void {
  const rows = a.db.prepare('SELECT * FROM drops').safeIntegers(true).all() as Array<Record<string, unknown>>;
  expect(rows.length).toBe(n);
  expect(Object.keys(rows[0]!)).toEqual([...DROP_COLUMNS]);
  const expected = decodeWithEventDecoder(file, 1);
  const norm = (r: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' && k !== 'time_ns' && k !== 'location_addr' ? Number(v) : v]));
  for (let i = 0; i < rows.length; i++) {
    const e = expected[i]!;
    const stackId = e.stack_id; // file id; SQL gives the leaf callsite
    expect(norm(rows[i]!), `row ${i}`).toEqual({ ...e, stack_id: rows[i]!.stack_id === null ? null : Number(rows[i]!.stack_id) });
    expect(rows[i]!.stack_id === null).toBe(stackId === null);
  }
}

describe('loadCaptures', () => {
  const file = t.file('mixed.dcap');
  const events = mixedEvents(1000);
  writeSyntheticCapture(file, { events, blockSize: 300, unknownBlocks: 2 });

  it('imports every event; the drops view equals EventDecoder field for field', () => {
    const a = loadCaptures([file]);
    expectDropsEqualDecoder(a, file, 1000);
    expect(a.captures).toMatchObject([{ capture_id: 1, host: 'testhost', events: 1000, lost_events: 0, clean_stop: true, attach: 'tp_btf', kernel_release: '6.18.0-test' }]);
    expect(a.captures[0]!.start_ns).toBe(START_MONO + CLOCK_OFFSET_NS);
    expect(a.warnings).toEqual([`${file}: skipped 2 blocks of unknown type (written by a newer dropcap?)`]);
  });

  it('equals EventDecoder across the importer passes of 512 drops, with a time no double holds in a later pass', () => {
    const big = t.file('one-block.dcap');
    const events = mixedEvents(1500);
    // ~32 years after the rest: kept as a bigint all the way to the row
    events[1100] = { ...events[1100]!, ts_ns: START_MONO + 1_000_000_000_000_000_001n };
    writeSyntheticCapture(big, { events, blockSize: 1500 });
    const a = loadCaptures([big]);
    expectDropsEqualDecoder(a, big, 1500);
    const times = a.db.prepare('SELECT time_ns FROM drops').pluck().safeIntegers(true).all() as bigint[];
    expect(times[1100]! - times[1099]! > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
    a.db.close();
  });

  it('names reasons, including subsystem and unknown ones', () => {
    const { db } = loadCaptures([file]);
    const byReason = db.prepare('SELECT reason, subsystem, count(*) AS n FROM drops GROUP BY 1, 2 ORDER BY 1').all();
    expect(byReason).toEqual([
      { reason: 'NETFILTER_DROP', subsystem: 'CORE', n: 200 },
      { reason: 'NO_SOCKET', subsystem: 'CORE', n: 200 },
      { reason: 'OVS_DROP_LAST_ACTION', subsystem: 'OPENVSWITCH', n: 200 },
      { reason: 'TCP_FLAGS', subsystem: 'CORE', n: 200 },
      { reason: 'UNKNOWN(99)', subsystem: 'CORE', n: 200 },
    ]);
    expect(db.prepare("SELECT code, enum_name, enum_type FROM reasons WHERE name = 'NO_SOCKET'").get()).toEqual({ code: 3, enum_name: 'SKB_DROP_REASON_NO_SOCKET', enum_type: 'skb_drop_reason' });
  });

  it('normalizes stacks: stack_frames gives symbolized frames innermost first; callsites share prefixes', () => {
    const { db } = loadCaptures([file]);
    const sid = db.prepare('SELECT stack_id FROM drops WHERE stack_id IS NOT NULL AND location LIKE ? LIMIT 1').pluck().get('tcp_v4_rcv%');
    const leafIds = db.prepare('SELECT DISTINCT stack_id FROM drops WHERE stack_id IS NOT NULL').pluck().all() as number[];
    expect(leafIds.length).toBe(2);
    const frames = (id: number) => db.prepare('SELECT frame FROM stack_frames WHERE stack_id = ? ORDER BY depth').pluck().all(id);
    const all = leafIds.map(frames);
    expect(all).toContainEqual([
      'bpf_prog_6deef7357e7b4530_dropcap+0x4 [bpf]',
      'sk_skb_reason_drop+0x1e4',
      'tcp_v4_rcv+0x91',
      'ip_local_deliver+0x44',
      '__netif_receive_skb+0x10',
    ]);
    expect(all).toContainEqual(['nft_do_chain+0x93c [nf_tables]', 'ip_local_deliver+0x44', '0xffffffff90000000']);
    expect(sid).not.toBeNull();
    // the leaf is the innermost frame; walking parent_id reaches a root at depth 0
    const leaf = db.prepare('SELECT c.depth, f.address FROM stack_callsite c JOIN stack_frame f ON f.id = c.frame_id WHERE c.id = ?').get(leafIds[0]) as { depth: number };
    expect([4, 2]).toContain(leaf.depth);
    expect(db.prepare('SELECT count(*) FROM stack_callsite WHERE parent_id IS NULL').pluck().get()).toBe(2);
    expect(db.prepare("SELECT module FROM stack_symbol WHERE name LIKE 'bpf_prog%'").pluck().get()).toBe('bpf');
  });

  it('writes stats and meta rows', () => {
    const { db } = loadCaptures([file]);
    const stats = Object.fromEntries((db.prepare('SELECT name, value FROM stats WHERE capture_id = 1').raw().all() as Array<[string, number]>));
    expect(stats).toMatchObject({ events: 1000, lost_events: 0, stackless_events: 333, unknown_blocks: 2, unclean_stop: 0, truncated_bytes: 0, missing_stacks: 0, stats_blocks: 1, no_clocks: 0 });
    expect(db.prepare("SELECT severity FROM stats WHERE name = 'lost_events'").pluck().get()).toBe('data_loss');
    const meta = Object.fromEntries(db.prepare('SELECT key, value FROM meta').raw().all() as Array<[string, string]>);
    expect(meta.hostname).toBe('testhost');
    expect(meta.attach).toBe('tp_btf');
    expect(JSON.parse(meta.cmdline!)).toEqual(['dropcap', 'record', '-w', 'x.dcap']);
    expect(JSON.parse(meta.stack_policy!)).toEqual({ mode: 'default', budget_per_cpu_per_sec: 1000 });
  });

  it('reports lost events loudly as data_loss', () => {
    const lossy = t.file('lossy.dcap');
    writeSyntheticCapture(lossy, {
      events: mixedEvents(10),
      stats: {
        monotonic_ns: START_MONO + 1_000_000_000n,
        final: true,
        counters: { seen: 25, ringbuf_lost: 12n, stack_budget: 3, stack_error: 1, filtered: 0, not_tcp: 4, bad_header: 0 },
        user: { events_written: 10, events_dropped: 3, batches_dropped: 1 },
      },
    });
    const a = loadCaptures([lossy]);
    const get = (n: string) => a.db.prepare('SELECT value FROM stats WHERE name = ?').pluck().get(n);
    expect([get('lost_events'), get('ringbuf_lost'), get('events_dropped'), get('stack_budget'), get('stack_error'), get('seen')]).toEqual([15, 12, 3, 3, 1, 25]);
    expect(a.captures[0]!.lost_events).toBe(15);
    expect(a.warnings).toContain(`${lossy}: 15 drops were LOST while recording (ringbuf_lost 12, events_dropped 3)`);
  });

  it('loads several captures into one database, told apart by capture_id and host', () => {
    const other = t.file('other.dcap');
    writeSyntheticCapture(other, { hostname: 'web-2', events: mixedEvents(40) });
    const a = loadCaptures([file, other]);
    expect(a.db.prepare('SELECT capture_id, host, count(*) AS n FROM drops GROUP BY 1, 2 ORDER BY 1').all()).toEqual([
      { capture_id: 1, host: 'testhost', n: 1000 },
      { capture_id: 2, host: 'web-2', n: 40 },
    ]);
    expect(a.captures.map((c) => c.path)).toEqual([file, other]);
    // each capture's stacks are symbolized with its own kallsyms: frames are per capture
    expect(a.db.prepare('SELECT count(DISTINCT capture_id) FROM stack_frame').pluck().get()).toBe(2);
    expect(a.db.prepare('SELECT count(*) FROM stats WHERE name = ? ').pluck().get('events')).toBe(2);
  });

  it('imports a damaged capture up to its last good block and says what was lost', () => {
    const full = fs.readFileSync(file);
    const cut = t.file('cut.dcap');
    fs.writeFileSync(cut, full.subarray(0, full.length - 100)); // inside the STATS/END tail
    const a = loadCaptures([cut]);
    const stat = (n: string) => a.db.prepare('SELECT value FROM stats WHERE name = ?').pluck().get(n) as number;
    expect(stat('events')).toBe(1000);
    expect(stat('truncated_bytes')).toBeGreaterThan(0);
    expect(stat('unclean_stop')).toBe(1);
    expect(a.captures[0]!.clean_stop).toBe(false);
    expect(a.warnings.some((w) => /bytes unread/.test(w))).toBe(true);
    expect(a.warnings).toContain(`${cut}: no END block: the recording was cut short (killed, crashed or disk full)`);

    const corrupt = t.file('corrupt.dcap');
    const bad = Buffer.from(full);
    bad[Math.floor(full.length / 2)]! ^= 0xff; // inside an EVENTS block
    fs.writeFileSync(corrupt, bad);
    const b = loadCaptures([corrupt]);
    const events = b.db.prepare("SELECT value FROM stats WHERE name = 'events'").pluck().get() as number;
    expect(events % 300).toBe(0);
    expect(events).toBeLessThan(1000);
    expect(b.db.prepare('SELECT count(*) FROM drops').pluck().get()).toBe(events);
  });

  it('reuses a --db holding the same captures and rebuilds it when a capture changed', () => {
    const dbPath = t.file('drops.sqlite');
    const progress: number[] = [];
    const first = loadCaptures([file], { dbPath, onProgress: (done, total) => progress.push(done / total) });
    expect(first.reused).toBe(false);
    expect(fs.statSync(dbPath).mode & 0o777).toBe(0o600);
    expect(progress.at(-1)).toBe(1);
    first.db.close();
    const second = loadCaptures([file], { dbPath });
    expect(second.reused).toBe(true);
    expect(second.warnings).toEqual(first.warnings);
    expect(second.db.prepare('SELECT count(*) FROM drops').pluck().get()).toBe(1000);
    second.db.close();
    // a different file list rebuilds
    const small = t.file('small.dcap');
    writeSyntheticCapture(small, { events: mixedEvents(5) });
    const third = loadCaptures([small], { dbPath });
    expect(third.reused).toBe(false);
    expect(third.db.prepare('SELECT count(*) FROM drops').pluck().get()).toBe(5);
    third.db.close();
    // the capture rewritten in place (new size/mtime) rebuilds too
    writeSyntheticCapture(small, { events: mixedEvents(7) });
    const fourth = loadCaptures([small], { dbPath });
    expect(fourth.reused).toBe(false);
    expect(fourth.db.prepare('SELECT count(*) FROM drops').pluck().get()).toBe(7);
    fourth.db.close();
    expect(fs.readdirSync(t.dir).filter((n) => n.includes('.importing-'))).toEqual([]);
  });

  it('refuses to overwrite a --db that is not a dropcap database', () => {
    const notOurs = t.file('notours.sqlite');
    fs.writeFileSync(notOurs, 'precious data that is not sqlite at all, long enough to be a page? no');
    expect(() => loadCaptures([file], { dbPath: notOurs })).toThrow(expect.objectContaining({ code: 'NOT_A_DROPCAP_DB' }));
    expect(fs.readFileSync(notOurs, 'utf8')).toMatch(/^precious/);
  });

  it('fails with the format error for a file that is not a capture', () => {
    const txt = t.file('notes.txt');
    fs.writeFileSync(txt, 'not a capture');
    expect(() => loadCaptures([txt])).toThrow(expect.objectContaining({ code: 'BAD_MAGIC' }));
    expect(() => loadCaptures([])).toThrow(expect.objectContaining({ code: 'NO_CAPTURES' }));
  });
});
