// The command line people meet first: help with examples on every
// command, --version, completion, and the documented exit codes.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runDropcap } from '../support/cli.js';

const COMMANDS = [[], ['record'], ['demo'], ['reasons'], ['analyze'], ['analyze', 'list'], ['analyze', 'query'], ['analyze', 'info'], ['analyze', 'schema']];

describe('dropcap --help', () => {
  it.each(COMMANDS.map((c) => [c.join(' ') || '(top)', c] as const))('%s has help with examples', (_name, cmd) => {
    const r = runDropcap([...cmd, '--help']);
    expect(r.status).toBe(0);
    if (cmd.length > 0) expect(r.stdout).toMatch(/^Examples:$/m);
    expect(r.stdout).toMatch(/--help/);
  });

  it('top-level help documents the exit codes the tool uses', () => {
    expect(runDropcap(['--help']).stdout).toMatch(/Exit codes: 0 ok, 1 failure, 2 usage error, 3 missing privileges, 4 data lost/);
  });

  it('--version prints the package version', () => {
    const { version } = JSON.parse(readFileSync(new URL('../../packages/cli/package.json', import.meta.url), 'utf8')) as { version: string };
    expect(runDropcap(['--version']).stdout.trim()).toBe(version);
  });

  it('prints a shell completion script', () => {
    const r = runDropcap(['completion']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/_dropcap_yargs_completions|complete -o/);
  });
});

describe('exit codes and one-line errors', () => {
  it('2 for an unknown command, naming it', () => {
    const r = runDropcap(['recrod']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/record/);
  });

  it('2 for a bad flag value, with the fix', () => {
    const r = runDropcap(['record', '--ring-size', '3']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--ring-size takes a power of two/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('2 for --print with -w - (both on stdout)', () => {
    const r = runDropcap(['record', '-w', '-', '--print']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/both write to stdout/);
  });

  it('1 for a capture that does not exist, in one line naming it', () => {
    const r = runDropcap(['analyze', '/nonexistent/x.dcap']);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/\/nonexistent\/x\.dcap/);
  });

  it('no stack trace unless --verbose', () => {
    const r = runDropcap(['analyze', '/nonexistent/x.dcap']);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
