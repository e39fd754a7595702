// The command line people meet first: help with examples on every
// command, --version, completion, and the documented exit codes.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DROPCAP, runDropcap } from '../support/cli.js';

const COMMANDS = [[], ['record'], ['demo'], ['reasons'], ['analyze'], ['analyze', 'list'], ['analyze', 'query'], ['analyze', 'info'], ['analyze', 'schema']];

describe('dropcap --help', () => {
  it.each(COMMANDS.map((c) => [c.join(' ') || '(top)', c] as const))('%s has help with examples', (_name, cmd) => {
    const r = runDropcap([...cmd, '--help']);
    expect(r.status).toBe(0);
    if (cmd.length > 0) expect(r.stdout).toMatch(/^Examples:$/m);
    expect(r.stdout).toMatch(/--help/);
  });

  it('wraps between words: every word shown is a word of the help texts', () => {
    // the texts the help is made of: our commands' sources and yargs' own strings
    const sources = ['cli', 'analyzer', 'recorder']
      .flatMap((pkg) =>
        readdirSync(new URL(`../../packages/${pkg}/src`, import.meta.url), { recursive: true })
          .filter((f) => f.endsWith('.ts'))
          .map((f) => `packages/${pkg}/src/${f}`),
      )
      .concat('node_modules/yargs/locales/en.json')
      .map((f) => readFileSync(new URL(`../../${f}`, import.meta.url), 'utf8'))
      .join('\n')
      .replace(/\\n/g, ' '); // "\nDocs:" in a string literal is the word Docs
    const known = new Set(sources.match(/[A-Za-z]+/g));
    for (const cmd of COMMANDS) {
      const help = runDropcap([...cmd, '--help']).stdout;
      // a word cut at the column leaves pieces like "fl" + "ows" that no text contains
      const pieces = (help.match(/[A-Za-z]{3,}/g) ?? []).filter((w) => !known.has(w));
      expect({ cmd: cmd.join(' '), pieces }).toEqual({ cmd: cmd.join(' '), pieces: [] });
    }
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

  it('completion --help explains the command instead of printing the script', () => {
    for (const flag of ['--help', '-h']) {
      const r = runDropcap(['completion', flag]);
      expect(r.status).toBe(0);
      expect(r.stdout).toContain('dropcap completion >> ~/.bashrc');
      expect(r.stdout).not.toMatch(/_dropcap_yargs_completions|complete -o/);
    }
  });

  it('completes options as they are typed, -4 and -6 with one dash', () => {
    const words = runDropcap(['--get-yargs-completions', 'dropcap', 'record', '-']).stdout.split('\n');
    expect(words).toEqual(expect.arrayContaining(['-4', '-6', '--ipv4', '--netns', '-w', '--stacks']));
    expect(words.filter((w) => /^--.$/.test(w))).toEqual([]);
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

  it('0 and no stack trace when the reader of stdout goes away (| head)', () => {
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${DROPCAP}" reasons | head -1`], { encoding: 'utf8' });
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toBe('');
  });

  it('2 with no command, listing the commands once', () => {
    const r = runDropcap([]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe("dropcap: name a command: record, analyze, demo, reasons or completion; see 'dropcap --help'");
  });

  it('no stack trace unless --verbose', () => {
    const r = runDropcap(['analyze', '/nonexistent/x.dcap']);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
