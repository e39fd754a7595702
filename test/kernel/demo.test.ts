// `dropcap demo` is the README's main command: it must run as root in CI,
// show the analysis, keep the capture, and leave no namespace behind.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DROPCAP, runDropcap } from '../support/cli.js';
import { requireRoot } from '../support/netns.js';

const dir = mkdtempSync(join(tmpdir(), 'dropcap-demo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const demoNamespaces = () => spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l.startsWith('dropcap-demo'));
const dropcapPrograms = () => spawnSync('bpftool', ['prog', 'show'], { encoding: 'utf8' }).stdout.split('\n').filter((l) => /name (tp_btf|raw_tp|tracepoint)_kfree|dropcap/.test(l));

describe.skipIf(!requireRoot())('dropcap demo', () => {
  it('provokes real drops, shows the analysis, keeps the capture, cleans up', () => {
    const before = demoNamespaces();
    const file = join(dir, 'demo.dcap');
    const r = runDropcap(['demo', '-w', file], { timeoutMs: 120_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    for (const reason of ['NO_SOCKET', 'NETFILTER_DROP', 'TCP_ABORT_ON_DATA', 'SOCKET_FILTER', 'TCP_FLAGS', 'TCP_INVALID_SEQUENCE', 'TCP_LISTEN_OVERFLOW']) {
      expect(r.stdout).toContain(reason);
    }
    expect(r.stdout).toMatch(/^recorded: \d+ events, 0 lost/m);
    expect(r.stdout).toMatch(/^Top reasons$/m);
    expect(r.stdout).toMatch(/^\ttcp_v4_rcv\+0x[0-9a-f]+$/m);
    expect(existsSync(file)).toBe(true);
    // the kept capture analyzes on its own
    const again = runDropcap(['analyze', 'query', file, 'SELECT count(DISTINCT reason) AS n FROM drops', '--format', 'json']);
    expect(JSON.parse(again.stdout)).toEqual([{ n: 7 }]);
    expect(demoNamespaces()).toEqual(before);
    expect(dropcapPrograms()).toEqual([]);
  });

  it('removes its namespace on Ctrl-C', async () => {
    const before = demoNamespaces();
    const child = spawn(process.execPath, [DROPCAP, 'demo', '-w', join(dir, 'interrupted.dcap')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    while (!/provoked/.test(out) && child.exitCode === null) await new Promise((r) => setTimeout(r, 10));
    expect(demoNamespaces().length).toBe(before.length + 1);
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(code).toBe(0);
    expect(demoNamespaces()).toEqual(before);
    expect(dropcapPrograms()).toEqual([]);
  });

  it('explains in one line what it needs when not root', () => {
    const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all', process.execPath, DROPCAP, 'demo', '-w', join(tmpdir(), 'x.dcap')], { encoding: 'utf8' });
    expect(r.status).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/demo needs root/);
  });

  it('record says which privileges it needs when it has none', () => {
    const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all', process.execPath, DROPCAP, 'record', '-d', '1'], { encoding: 'utf8' });
    expect(r.status).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/needs root or CAP_BPF and CAP_PERFMON .*CAP_SYSLOG/);
  });
});
