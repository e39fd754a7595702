// `dropcap record` flags on the real kernel: every form --netns accepts
// records the namespace it names, and the summary line's counts agree with
// the capture whatever the stack policy.
import { readlinkSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCaptures } from '@dropcap/analyzer';
import { closedPortV4 } from '../../packages/recorder/src/provoke/index.js';
import { RunningRecorder, runDropcap } from '../support/cli.js';
import { requireRoot, useNetnsSandbox } from '../support/netns.js';

const dir = mkdtempSync(join(tmpdir(), 'dropcap-args-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function statValue(file: string, name: string): Promise<number> {
  const a = await loadCaptures([file]);
  return (a.db.prepare('SELECT value FROM stats WHERE name = ?').get(name) as { value: number }).value;
}

describe.skipIf(!requireRoot())('record --netns forms and the summary line', () => {
  const sandbox = useNetnsSandbox('dcargs');

  it('--stacks none: the summary counts every event as without stack, as the capture does', async () => {
    const file = join(dir, 'none.dcap');
    const rec = await RunningRecorder.start(['-w', file, '--netns', sandbox().name, '--stacks', 'none']);
    expect(closedPortV4(sandbox(), { count: 2 }).total).toBe(2);
    expect((await rec.stop()).code).toBe(0);
    expect(rec.stderr).toMatch(/^dropcap: 2 events, 0 lost, 2 without stack, /m);
    expect(await statValue(file, 'stackless_events')).toBe(2);
  });

  it('--count cuts a batch short: the summary counts only the events kept as without stack', async () => {
    const file = join(dir, 'count.dcap');
    const rec = await RunningRecorder.start(['-w', file, '--netns', sandbox().name, '--stacks', 'none', '--count', '3']);
    // five drops in one burst: the addon delivers them together, and --count keeps three
    expect(closedPortV4(sandbox(), { count: 5 }).total).toBe(5);
    expect((await rec.exited).code).toBe(0);
    expect(rec.stderr).toMatch(/^dropcap: 3 events, 0 lost, 3 without stack, /m);
    expect(await statValue(file, 'stackless_events')).toBe(3);
  });

  it('--stacks all: none without stack', async () => {
    const file = join(dir, 'all.dcap');
    const rec = await RunningRecorder.start(['-w', file, '--netns', sandbox().name, '--stacks', 'all']);
    closedPortV4(sandbox(), { count: 2 });
    await rec.stop();
    expect(rec.stderr).toMatch(/^dropcap: 2 events, 0 lost, 0 without stack, /m);
    expect(await statValue(file, 'stackless_events')).toBe(0);
  });

  it('--netns INODE records the namespace, and one drop reads "1 event"', async () => {
    const rec = await RunningRecorder.start(['--netns', String(sandbox().inode), '--format', 'ndjson']);
    closedPortV4(sandbox(), { count: 1 });
    expect((await rec.stop()).code).toBe(0);
    expect(rec.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { netns: number }).netns)).toEqual([sandbox().inode]);
    expect(rec.stderr).toMatch(/^dropcap: 1 event, 0 lost, /m);
  });

  it('--netns /run/netns/NAME records the namespace', async () => {
    const rec = await RunningRecorder.start(['--netns', `/run/netns/${sandbox().name}`, '--format', 'ndjson']);
    closedPortV4(sandbox(), { count: 1 });
    await rec.stop();
    expect(rec.stdout.trim().split('\n')).toHaveLength(1);
  });

  it('--netns /proc/PID/ns/net of a process inside records the namespace', async () => {
    const child = sandbox().spawn(['sleep', '60']);
    const nsLink = `/proc/${child.pid}/ns/net`;
    // `ip netns exec` enters the namespace just before it execs sleep
    for (let i = 0; i < 500 && readlinkSync(nsLink) !== `net:[${sandbox().inode}]`; i++) await new Promise((r) => setTimeout(r, 10));
    const rec = await RunningRecorder.start(['--netns', nsLink, '--format', 'ndjson']);
    closedPortV4(sandbox(), { count: 1 });
    await rec.stop();
    child.kill();
    expect(rec.stdout.trim().split('\n')).toHaveLength(1);
  });

  it('refuses the inode of a namespace of another kind', () => {
    const uts = Number(/\[(\d+)\]/.exec(readlinkSync('/proc/self/ns/uts'))![1]);
    const r = runDropcap(['record', '--netns', String(uts), '-d', '1']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^dropcap: --netns ${uts}: (no network namespace has this inode|cannot check)`));
  });
});
