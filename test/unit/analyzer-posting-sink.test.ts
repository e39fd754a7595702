// The worker import's wire format, in one thread: rows gathered by a
// PostingSink, cloned as postMessage clones them, bound by the receiving
// side's applyRows into a SqlSink, must make exactly the database that a
// SqlSink fed directly makes: tables, row order of _drop, times too big for
// a double, several messages per capture.
import Database from 'better-sqlite3';
import type { MessagePort } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { DbWriter } from '../../packages/analyzer/src/sqlite/db-writer.js';
import { applyRows } from '../../packages/analyzer/src/sqlite/import-host.js';
import { newSignal, TAKEN, type ImportMessage } from '../../packages/analyzer/src/sqlite/import-channel.js';
import { PostingSink } from '../../packages/analyzer/src/sqlite/posting-sink.js';
import { SqlSink } from '../../packages/analyzer/src/sqlite/sql-sink.js';
import { writeCaptures } from '../../packages/analyzer/src/sqlite/write-captures.js';
import { dumpTables } from '../support/db-dump.js';
import { KERNEL, START_MONO, tmpDir, writeSyntheticCapture, type EventSpec } from '../support/synthetic-capture.js';

const t = tmpDir('dropcap-posting-');
afterAll(() => t.cleanup());

function events(n: number): EventSpec[] {
  const out: EventSpec[] = [];
  for (let i = 0; i < n; i++) {
    out.push({
      // one drop ~32 years later: its time relative to the capture's base is no longer a safe double
      ts_ns: i === 777 ? START_MONO + 1_000_000_000_000_000_001n : START_MONO + BigInt(i) * 1000n,
      saddr: `10.0.${i % 3}.${i % 251}`,
      daddr: '127.0.0.1',
      sport: 1024 + (i % 4000),
      dport: 80 + (i % 3),
      reason: [2, 3, 12][i % 3],
      location: i % 2 ? KERNEL.tcp_v4_rcv + 0x91n : KERNEL.nft_do_chain + 0x10n,
      stack_id: i % 2 ? 1 : 0,
      cpu: i % 2,
      seq: (i * 2654435761) >>> 0,
      ack_seq: (i * 40503) >>> 0,
      len: i % 7 === 0 ? 100_000 + i : 40,
    });
  }
  return out;
}

function importDirect(file: string): Database.Database {
  const db = new Database(':memory:');
  const sink = new SqlSink(db);
  writeCaptures(new DbWriter(sink), [file]);
  sink.flush();
  return db;
}

function importThroughMessages(file: string): { db: Database.Database; messages: ImportMessage[] } {
  const db = new Database(':memory:');
  const target = new SqlSink(db);
  const signal = newSignal();
  const messages: ImportMessage[] = [];
  // a port whose receiver takes every message at once, cloning it like postMessage
  const port = {
    postMessage(msg: ImportMessage, transfer: ArrayBuffer[]) {
      const m = structuredClone(msg, { transfer });
      messages.push(m);
      Atomics.add(signal, TAKEN, 1);
      if (m.kind === 'rows') applyRows(target, m);
    },
  } as unknown as MessagePort;
  const sink = new PostingSink(port, signal);
  writeCaptures(new DbWriter(sink), [file]);
  sink.flush();
  target.flush();
  return { db, messages };
}

describe('PostingSink -> applyRows -> SqlSink', () => {
  const file = t.file('posting.dcap');
  writeSyntheticCapture(file, { events: events(20_000), blockSize: 5000 });

  it('makes the same database as writing directly', { timeout: 60_000 }, () => {
    const direct = importDirect(file);
    const { db, messages } = importThroughMessages(file);
    expect(messages.length).toBeGreaterThan(2); // 20,000 drops do not fit one message
    expect(dumpTables(db)).toEqual(dumpTables(direct));
    expect(db.prepare('SELECT COUNT(*) FROM _drop').pluck().get()).toBe(20_000);
  });

  it('keeps the drops in capture order and a time no double holds exactly', { timeout: 60_000 }, () => {
    const { db, messages } = importThroughMessages(file);
    const big = messages.flatMap((m) => (m.kind === 'rows' ? m.bigTimes : []));
    expect(big).toHaveLength(1);
    const sql = 'SELECT g.time_base + d.t FROM _drop d JOIN _group g USING (group_id) ORDER BY d.rowid';
    const times = db.prepare(sql).pluck().safeIntegers(true).all() as bigint[];
    const direct = importDirect(file).prepare(sql).pluck().safeIntegers(true).all() as bigint[];
    expect(times).toEqual(direct);
    // exact to the nanosecond: doubles this large are 256 ns apart
    expect(times[777]! - times[776]! > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
    expect(times[777]! % 1000n).toBe(1n);
  });
});

describe('PostingSink drops given in batches (addPacked)', () => {
  it('travel in order across messages, each bigint time with its own row', () => {
    const signal = newSignal();
    const got: Array<{ rows: Float64Array; count: number; bigTimes: Array<[number, bigint]> }> = [];
    const port = {
      postMessage(msg: ImportMessage, transfer: ArrayBuffer[]) {
        const m = structuredClone(msg, { transfer });
        Atomics.add(signal, TAKEN, 1);
        if (m.kind === 'rows' && m.drops) got.push({ rows: m.drops, count: m.dropCount, bigTimes: m.bigTimes });
      },
    } as unknown as MessagePort;
    const sink = new PostingSink(port, signal);
    const total = 40_000;
    // bigint times around the first message's end (16,384 drops) and elsewhere
    const bigAt = new Set([0, 699, 700, 16_383, 16_384, 16_385, 39_999]);
    for (let from = 0; from < total; from += 700) {
      const n = Math.min(700, total - from);
      const rows = new Float64Array(n * 5);
      const big: Array<[number, bigint]> = [];
      for (let r = 0; r < n; r++) {
        const i = from + r;
        rows.set([bigAt.has(i) ? NaN : i, i + 1, i + 2, i + 3, i + 4], r * 5);
        if (bigAt.has(i)) big.push([r, 10n ** 18n + BigInt(i)]);
      }
      sink.drops.addPacked(rows, n, big);
    }
    sink.flush();
    expect(got.length).toBe(3);
    const seen: number[] = [];
    const bigSeen: string[] = [];
    let base = 0;
    for (const m of got) {
      for (let r = 0; r < m.count; r++) seen.push(m.rows[r * 5 + 1]! - 1);
      for (const [r, t] of m.bigTimes) {
        expect(m.rows[r * 5]).toBeNaN();
        bigSeen.push(`${base + r}:${t - 10n ** 18n}`);
      }
      base += m.count;
    }
    expect(seen).toEqual(Array.from({ length: total }, (_, i) => i));
    expect(bigSeen).toEqual([...bigAt].map((i) => `${i}:${i}`));
  });
});
