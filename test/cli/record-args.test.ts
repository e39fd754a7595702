// `dropcap record` and `dropcap demo` refuse bad flag values up front with
// exit code 2 and one line naming the cause and the fix, before any BPF is
// loaded: a value the kernel filter cannot match would otherwise record
// nothing, silently. No root needed: the checks run before the privilege check.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runDropcap } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'dropcap-args-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `dropcap ARGS` bounded in time (-d 1 in the args), expecting a usage error. */
function usageError(args: string[]): string {
  const r = runDropcap(args, { timeoutMs: 30_000 });
  expect({ status: r.status, lines: r.stderr.trim().split('\n').length }).toEqual({ status: 2, lines: 1 });
  return r.stderr.trim();
}

describe('record --netns is checked to be a network namespace', () => {
  it('refuses a file that is not a namespace, and writes no capture', () => {
    const file = join(dir, 'passwd.dcap');
    expect(usageError(['record', '--netns', '/etc/passwd', '-d', '1', '-w', file])).toMatch(/^dropcap: --netns \/etc\/passwd: \/etc\/passwd is not a namespace file \(give an 'ip netns' name/);
    expect(existsSync(file)).toBe(false);
  });

  it('refuses a namespace of another kind', () => {
    expect(usageError(['record', '--netns', '/proc/self/ns/uts', '-d', '1'])).toMatch(/\/proc\/self\/ns\/uts is a uts namespace, not a network namespace/);
  });

  it('refuses an inode number no network namespace has', () => {
    expect(usageError(['record', '--netns', '12345', '-d', '1'])).toMatch(/^dropcap: --netns 12345: no network namespace has this inode .*'ip netns' name/);
  });

  it('refuses a name that is not under /run/netns', () => {
    expect(usageError(['record', '--netns', 'no-such-netns-dc', '-d', '1'])).toMatch(/--netns no-such-netns-dc: no such network namespace/);
  });
});

describe('record flags with bad values', () => {
  it.each(['-5', 'abc', '1.5', '4294967296'])('--stack-budget %s: a whole number >= 0, before loading BPF', (value) => {
    const line = usageError(['record', '--stack-budget', value, '-d', '1']);
    expect(line).toMatch(/^dropcap: --stack-budget takes a whole number >= 0 \(stacks per CPU per second, at most 4294967295\)/);
    expect(line).not.toMatch(/BPF/);
  });

  it('-w without a value asks for a path or -', () => {
    expect(usageError(['record', '-w'])).toBe("dropcap: -w needs a path to write the capture to, or '-' for stdout, e.g. -w drops.dcap");
    expect(usageError(['record', '-w', '-d', '1'])).toMatch(/-w needs a path/);
  });

  it.each([
    ['--port', 'abc'],
    ['--sport', '1.5'],
    ['--dport', '0x1bb'],
    ['--port', '70000'],
  ])('%s %s names the value given', (flag, value) => {
    expect(usageError(['record', flag, value, '-d', '1'])).toBe(`dropcap: ${flag} ${value} is not a TCP port: give a number from 1 to 65535`);
  });

  it('--port without a value says it needs a port', () => {
    expect(usageError(['record', '-d', '1', '--port'])).toMatch(/--port needs a port number/);
  });
});

describe('single-valued record flags given twice', () => {
  // yargs makes a repeated option an array: "--netns a,b", "cannot write capture to a,b" before
  it.each([
    ['--netns', 'a', 'b'],
    ['-w', join(dir, 'a'), join(dir, 'b')],
    ['-d', '1', '2'],
    ['-c', '1', '2'],
    ['--host', '10.0.0.1', '::1'],
    ['--port', '1', '2'],
    ['--sport', '1', '2'],
    ['--dport', '1', '2'],
    ['--stacks', 'none', 'all'],
    ['--format', 'text', 'ndjson'],
    ['--stack-budget', '1', '2'],
    ['--ring-size', '8', '16'],
    ['--compression', 'none', 'brotli'],
  ])('%s %s, then %s', (flag, first, second) => {
    const bounded = flag === '-d' ? [] : ['-d', '1'];
    expect(usageError(['record', flag, first, flag, second, ...bounded])).toBe(`dropcap: ${flag} was given more than once (${first}, ${second}): give it once`);
  });
});

describe('record --help', () => {
  it("quotes '!NAME' in its example: a bare ! is history expansion in interactive bash", () => {
    const help = runDropcap(['record', '--help']).stdout;
    // on one line, as it is copied
    expect(help).toMatch(/^ {2}dropcap record --reason '!NETFILTER_DROP' +every drop except firewall drops$/m);
    expect(help).not.toMatch(/[^']!NETFILTER_DROP/);
  });
});

describe('demo --list', () => {
  it.each(['-1', 'abc', '1.5'])('refuses %s: a whole number of drops', (value) => {
    expect(usageError(['demo', '--list', value, '-w', join(dir, 'demo.dcap')])).toBe('dropcap: --list takes a whole number of drops to list, e.g. --list 5 (0 lists none)');
    expect(existsSync(join(dir, 'demo.dcap'))).toBe(false);
  });

  it('refuses it twice', () => {
    expect(usageError(['demo', '--list', '1', '--list', '2', '-w', join(dir, 'demo.dcap')])).toBe('dropcap: --list was given more than once (1, 2): give it once');
  });
});

describe('demo -w', () => {
  it('refuses -w without a path rather than using the default one', () => {
    expect(usageError(['demo', '-w'])).toBe('dropcap: -w needs a path to keep the capture in, e.g. -w demo.dcap');
    expect(usageError(['demo', '--list', '1', '-w'])).toMatch(/^dropcap: -w needs a path/);
  });

  it('still names the default in --help', () => {
    expect(runDropcap(['demo', '--help']).stdout).toMatch(/-w, --write +where to keep the capture +\[string\] \[default: dropcap-demo\.dcap\]/);
  });
});
