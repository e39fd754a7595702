// The recorder under faults, on the real kernel, in a private namespace:
// SIGKILL at random moments, a full disk, every stopping signal, a reader
// that closes `-w -`, two recorders at once, unwritable outputs, BPF that
// cannot load, and memory and loss accounting during a max-rate storm.
// After every fault the capture must read up to its last complete block,
// and the recorder's BPF program must be gone.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCaptures } from '@dropcap/analyzer';
import { BlockType, CaptureReader } from '@dropcap/format';
import { closedPortV4, runStorm } from '../../packages/recorder/src/provoke/index.js';
import { DROPCAP, RunningRecorder, runDropcap } from '../support/cli.js';
import { requireRoot, useNetnsSandbox } from '../support/netns.js';

const dir = mkdtempSync(join(tmpdir(), 'dropcap-faults-'));
const mounts: string[] = [];
afterAll(() => {
  for (const m of mounts) spawnSync('umount', ['-l', m]);
  rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function progId(stderr: string): number {
  const m = /prog id (\d+)/.exec(stderr);
  if (!m) throw new Error(`no prog id in: ${stderr}`);
  return Number(m[1]);
}

/** The kernel still has this BPF program (loaded and, for a live recorder, attached). */
function progLoaded(id: number): boolean {
  return spawnSync('bpftool', ['prog', 'show', 'id', String(id)], { encoding: 'utf8' }).status === 0;
}

/** Programs the kernel lists under our names, as "id" strings. */
function dropcapProgs(): Set<number> {
  const r = spawnSync('bpftool', ['-j', 'prog', 'show'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const progs = JSON.parse(r.stdout || '[]') as Array<{ id: number; name?: string }>;
  return new Set(progs.filter((p) => p.name?.startsWith('dropcap_')).map((p) => p.id));
}

/** Blocks of a capture as the reader sees them, with its damage report. */
function readBlocks(file: string) {
  const reader = CaptureReader.open(file);
  const types: number[] = [];
  let events = 0;
  let lastEnd = 16;
  for (const b of reader.blocks()) {
    types.push(b.type);
    if (b.type === BlockType.Events) events += b.body.length / 120;
    lastEnd = reader.bytesRead;
  }
  return { types, events, damage: reader.damage, lastEnd, size: statSync(file).size };
}

/** The file is valid up to its last complete block and the damage report covers exactly the rest. */
function expectReadableToLastBlock(file: string) {
  const r = readBlocks(file);
  expect(r.types[0]).toBe(BlockType.Header);
  if (r.damage) {
    expect(r.damage.cause).toBe('truncated');
    expect(r.damage.offset).toBe(r.lastEnd);
    expect(r.damage.offset + r.damage.bytesUnread).toBe(r.size);
  } else {
    expect(r.lastEnd).toBe(r.size);
  }
  return r;
}

const statOf = (file: string, name: string): number => {
  const a = loadCaptures([file]);
  try {
    return a.db.prepare('SELECT value FROM stats WHERE name = ?').pluck().get(name) as number;
  } finally {
    a.db.close();
  }
};

describe.skipIf(!requireRoot())('recorder faults', () => {
  const sandbox = useNetnsSandbox('dcfault');

  it('SIGKILL at 10 random moments of a storm: each file reads to its last block, analyze reports the cut', async () => {
    const trials: Array<{ delay: number; events: number; damaged: boolean }> = [];
    for (let trial = 0; trial < 10; trial++) {
      const file = join(dir, `killed-${trial}.dcap`);
      const rec = await RunningRecorder.start(['-w', file, '--netns', sandbox().name]);
      const id = progId(rec.stderr);
      const storm = runStorm(sandbox(), { count: 60_000, rate: 40_000 });
      const delay = 100 + Math.floor(Math.random() * 1300);
      await sleep(delay);
      rec.child.kill('SIGKILL');
      expect((await rec.exited).signal).toBe('SIGKILL');
      await storm;
      expect(progLoaded(id)).toBe(false);

      const r = expectReadableToLastBlock(file);
      expect(r.types).not.toContain(BlockType.End);
      trials.push({ delay, events: r.events, damaged: r.damage !== null });

      const out = runDropcap(['analyze', file]);
      expect(out.status).toBe(0);
      expect(out.stderr).toMatch(/did not end cleanly \(recorder killed\?\); read up to its last complete block/);
      if (r.damage) expect(out.stdout).toMatch(new RegExp(`${r.damage.bytesUnread} bytes? of the capture could not be read`));
      expect(statOf(file, 'unclean_stop')).toBe(1);
      rmSync(file);
    }
    console.log(`SIGKILL trials: ${JSON.stringify(trials)}`);
  });

  it('disk full (2 MiB tmpfs): one clear message, exit 4, file valid to its last block, BPF detached', async () => {
    const mnt = join(dir, 'full');
    mkdirSync(mnt);
    expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=2M', 'tmpfs', mnt]).status).toBe(0);
    mounts.push(mnt);
    const file = join(mnt, 'x.dcap');
    const rec = await RunningRecorder.start(['-w', file, '--netns', sandbox().name, '--compression', 'none']);
    const id = progId(rec.stderr);
    const storm = await runStorm(sandbox(), { count: 100_000, rate: 50_000 });
    const { code } = await Promise.race([rec.exited, sleep(20_000).then(() => ({ code: -1 }))]);
    expect(code).toBe(4);
    expect(progLoaded(id)).toBe(false);
    expect(rec.stderr).toMatch(/^dropcap: recording stopped early: disk full writing .*x\.dcap: free space or write elsewhere with -w; the capture is readable up to its last complete block$/m);
    const r = expectReadableToLastBlock(file);
    expect(r.events).toBeGreaterThan(0);
    expect(r.events).toBeLessThan(storm.expectedDrops);
    expect(r.types).not.toContain(BlockType.End);
    expect(runDropcap(['analyze', file]).stderr).toMatch(/did not end cleanly/);
  });

  it.each(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)('%s: clean stop, END block, exit 0, BPF detached', async (signal) => {
    const file = join(dir, `${signal}.dcap`);
    const rec = await RunningRecorder.start(['-w', file, '--netns', sandbox().name]);
    const id = progId(rec.stderr);
    const r = closedPortV4(sandbox(), { count: 2 });
    const { code } = await rec.stop(signal);
    expect(code).toBe(0);
    expect(progLoaded(id)).toBe(false);
    const blocks = expectReadableToLastBlock(file);
    expect(blocks.damage).toBeNull();
    expect(blocks.types.at(-1)).toBe(BlockType.End);
    expect(blocks.events).toBe(r.total);
  });

  it('-w - with the reader gone (head -c 1000): a clear message, exit 4, BPF detached', async () => {
    const child = spawn(process.execPath, [DROPCAP, 'record', '-v', '-w', '-', '--netns', sandbox().name], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    let got = 0;
    // what `| head -c 1000` does: read 1000 bytes, then close the pipe
    child.stdout.on('data', (d: Buffer) => {
      got += d.length;
      if (got >= 1000) child.stdout.destroy();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    const code = await Promise.race([exited, sleep(15_000).then(() => 'hung' as const)]);
    if (code === 'hung') child.kill('SIGKILL');
    expect(code).toBe(4);
    expect(stderr).toMatch(/^dropcap: recording stopped early: stdout was closed by the reader; .*$/m);
    if (/prog id/.test(stderr)) expect(progLoaded(progId(stderr))).toBe(false);
  });

  it('two recorders at once: independent programs, both record every drop', async () => {
    const a = await RunningRecorder.start(['-w', join(dir, 'a.dcap'), '--netns', sandbox().name]);
    const b = await RunningRecorder.start(['-w', join(dir, 'b.dcap'), '--netns', sandbox().name]);
    expect(progId(a.stderr)).not.toBe(progId(b.stderr));
    const r = closedPortV4(sandbox(), { count: 3 });
    expect((await a.stop()).code).toBe(0);
    expect((await b.stop()).code).toBe(0);
    for (const f of ['a.dcap', 'b.dcap']) {
      const blocks = expectReadableToLastBlock(join(dir, f));
      expect(blocks.events).toBe(r.total);
    }
    expect(progLoaded(progId(a.stderr))).toBe(false);
    expect(progLoaded(progId(b.stderr))).toBe(false);
  });

  describe('outputs that cannot be written fail before any BPF is loaded', () => {
    const cases: Array<[string, () => string, RegExp]> = [
      ['a directory', () => dir, /it is a directory/],
      ['a missing directory', () => join(dir, 'no', 'such', 'x.dcap'), /its directory does not exist/],
      [
        'a read-only file system',
        () => {
          const ro = join(dir, 'ro');
          mkdirSync(ro, { recursive: true });
          expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1M', 'tmpfs', ro]).status).toBe(0);
          mounts.push(ro);
          return join(ro, 'x.dcap');
        },
        /the file system is read-only/,
      ],
    ];
    it.each(cases)('%s: one line naming the path and the fix, exit 1', (_what, path, why) => {
      const target = path();
      const before = dropcapProgs();
      const r = runDropcap(['record', '-v', '-w', target, '--netns', sandbox().name, '-d', '1'], { timeoutMs: 20_000 });
      expect(r.status).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(`cannot write capture to ${target}`);
      expect(r.stderr).toMatch(why);
      expect(r.stderr).toMatch(/choose another -w path/);
      expect(r.stderr).not.toMatch(/attached via/);
      // nothing new under our names stays loaded
      for (const id of dropcapProgs()) expect(before.has(id) || !progLoaded(id)).toBe(true);
    });
  });

  it('bad ring sizes are refused by the CLI before loading (exit 2)', () => {
    for (const size of ['3', '0', '4096']) {
      const r = runDropcap(['record', '-w', join(dir, 'ring.dcap'), '--ring-size', size]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/--ring-size takes a power of two in MiB from 1 to 1024/);
    }
  });

  it('BPF that cannot load (a user namespace): a one-line reason, exit 1, no file left behind', () => {
    const file = join(dir, 'userns.dcap');
    const r = spawnSync('unshare', ['-U', '-r', process.execPath, DROPCAP, 'record', '-w', file, '-d', '1'], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/could not load the BPF program .*EPERM.*run as root on the host/);
    expect(() => statSync(file)).toThrow();
  });

  // the verifier gives up with EAGAIN while a signal is pending; a profiler's
  // SIGPROF every 100 µs made every load (and libbpf's retries) fail
  it('loads under a sampling profiler\'s signal storm (node --cpu-prof)', () => {
    const file = join(dir, 'profiled.dcap');
    const prof = join(dir, 'cpu-prof');
    const r = spawnSync(
      process.execPath,
      ['--cpu-prof', '--cpu-prof-interval', '100', '--cpu-prof-dir', prof, DROPCAP, 'record', '-v', '-w', file, '--netns', sandbox().name, '-d', '1'],
      { encoding: 'utf8', timeout: 30_000 },
    );
    expect(r.stderr).toMatch(/attached via tp_btf/);
    expect(r.status).toBe(0);
  });

  // the 1 MiB ring holds ~8k events: a consumer 90 ms late at ~100k drops/s would lose some, and they must be counted
  it.each(['32', '1'])('a max-rate storm, ring %s MiB: recorder RSS stays bounded, and recorded + lost = drops the kernel made', async (ring) => {
    const file = join(dir, `storm-${ring}.dcap`);
    const rec = await RunningRecorder.start(['-w', file, '--netns', sandbox().name, '--stacks', 'all', '--ring-size', ring]);
    const pid = rec.child.pid!;
    const rss: number[] = [];
    const sampler = setInterval(() => {
      try {
        const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
        if (m) rss.push(Number(m[1]) * 1024);
      } catch {
        // the process is gone
      }
    }, 50);
    const storm = await runStorm(sandbox(), { count: 150_000, threads: 2 });
    const { code } = await rec.stop('SIGINT');
    clearInterval(sampler);
    expect(code).toBe(/ 0 lost,/.test(rec.stderr) ? 0 : 4);
    const peak = Math.max(...rss);
    console.log(`storm (ring ${ring} MiB): ${storm.sent} packets in ${storm.elapsedS.toFixed(2)} s (${Math.round(storm.rate)}/s), recorder RSS peak ${(peak / 2 ** 20).toFixed(0)} MiB over ${rss.length} samples; ${rec.stderr.trim().split('\n').at(-1)}`);
    expect(rss.length).toBeGreaterThan(10);
    expect(peak).toBeLessThan(300 * 2 ** 20);

    // the independent counts: dropgen's packets x drops per packet, and the namespace's Tcp InSegs
    expect(storm.expectedDrops).toBe(storm.sent);
    expect(storm.tcpInSegs).toBe(storm.expectedDrops);
    const a = loadCaptures([file]);
    const drops = a.db.prepare('SELECT count(*) FROM drops').pluck().get() as number;
    const stat = (n: string) => a.db.prepare('SELECT value FROM stats WHERE name = ?').pluck().get(n) as number;
    const summary = /dropcap: (\d+) events, (\d+) lost/.exec(rec.stderr)!;
    expect(drops).toBe(Number(summary[1]));
    expect(stat('lost_events')).toBe(Number(summary[2]));
    expect(drops + stat('lost_events')).toBe(storm.expectedDrops);
    expect(stat('seen')).toBe(storm.expectedDrops);
    a.db.close();
  });
  it('live output to a pipe nobody reads: memory stays bounded, the screen skips (and says so), the capture keeps every drop', async () => {
    const file = join(dir, 'stalled.dcap');
    // the live printer writes to a pipe we stop reading: its pending output must not grow with the storm
    const child = spawn(process.execPath, [DROPCAP, 'record', '-v', '-w', file, '--print', '--format', 'ndjson', '--netns', sandbox().name, '--ring-size', '1'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    while (!/attached via/.test(stderr)) await sleep(20);
    child.stdout.pause();
    const rss: number[] = [];
    const sampler = setInterval(() => {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) rss.push(Number(m[1]) * 1024);
    }, 50);
    const storm = await runStorm(sandbox(), { count: 150_000, threads: 2 });
    await sleep(500);
    clearInterval(sampler);
    let printed = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (printed = (printed + d).slice(-1 << 20)));
    child.stdout.resume();
    await sleep(300);
    child.kill('SIGINT');
    const code = await exited;
    const peak = Math.max(...rss);
    const summary = /dropcap: (\d+) events, (\d+) lost/.exec(stderr)!;
    // exit 4 says data was lost; the JS thread formatting the live output can fall behind the storm
    expect(code, stderr).toBe(Number(summary[2]) > 0 ? 4 : 0);
    console.log(`live output stalled: RSS peak ${(peak / 2 ** 20).toFixed(0)} MiB; ${summary[0]} of ${storm.expectedDrops}`);
    expect(peak).toBeLessThan(300 * 2 ** 20);
    expect(printed).toMatch(/"note":"\d+ drops not printed: output too slow"/);
    expect(Number(summary[1]) + Number(summary[2])).toBe(storm.expectedDrops);
    expect(storm.tcpInSegs).toBe(storm.expectedDrops);
    const a = loadCaptures([file]);
    const drops = a.db.prepare('SELECT count(*) FROM drops').pluck().get() as number;
    const lost = a.db.prepare("SELECT value FROM stats WHERE name = 'lost_events'").pluck().get() as number;
    a.db.close();
    expect(drops).toBe(Number(summary[1]));
    expect(drops + lost).toBe(storm.expectedDrops);
  });
});
