#!/usr/bin/env node
// The `dropcap` command: mounts the analyzer's commands and, when the
// recorder (and its native addon) is installed, the recording commands.
// An analyzer-only install still runs everything that reads captures.
import { createRequire } from 'node:module';
import type { CommandModule, FallbackCompletionFunction } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { analyzeCommand } from '@dropcap/analyzer';
import { formatError, exitCodeFor } from './errors.js';
import { EXIT_USAGE } from './exit-codes.js';
import { loadRecorderCommands } from './recorder-commands.js';
import { VERSION } from './version.js';

/**
 * yargs' CommonJS build: its help wraps between words. The ES module build
 * lays help out with a cliui that cuts lines at the column, mid-word
 * ("fl/ows"), whatever the terminal's width.
 */
const yargs = createRequire(import.meta.url)('yargs') as typeof import('yargs').default;

/**
 * `dropcap ... | head` closes stdout early. A recording then stops as on
 * SIGTERM, so its capture file (if any) is closed properly and the summary
 * still reaches stderr; any other command just has nobody left to print to
 * and finishes quietly instead of dying on an unhandled 'error' event.
 */
function stopWhenStdoutCloses(): void {
  let closed = false;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    if (closed) return;
    closed = true;
    if (process.listenerCount('SIGTERM') > 0) process.emit('SIGTERM', 'SIGTERM');
  });
}

/**
 * yargs' own completions, except that it offers the digit aliases -4 and -6
 * as '--4' and '--6', which the parser would not take as those options.
 */
const completeOptions: FallbackCompletionFunction = (_current, _argv, defaults, done) => {
  defaults((err, completions) => done(err ? [] : (completions ?? []).map((c) => (/^--\d$/.test(c) ? c.slice(1) : c))));
};

/**
 * `dropcap analyze ...` never needs the recorder: not loading it (its
 * modules and the native addon) saves ~40 ms of every offline run.
 */
function runsAnalyzer(argv: string[]): boolean {
  return argv.find((a) => !a.startsWith('-')) === 'analyze';
}

/**
 * yargs answers `dropcap completion --help` with the script itself, which
 * is no help; this is what the command does and how to install it.
 */
const COMPLETION_HELP = `dropcap completion

Print a bash/zsh completion script for dropcap on stdout.

Install it: dropcap completion >> ~/.bashrc (zsh: >> ~/.zshrc), then open a new shell.
`;

function asksCompletionHelp(argv: string[]): boolean {
  return argv[0] === 'completion' && argv.slice(1).some((a) => a === '--help' || a === '-h');
}

async function main(argv: string[]): Promise<void> {
  if (asksCompletionHelp(argv)) {
    process.stdout.write(COMPLETION_HELP);
    return;
  }
  const recorderCommands = runsAnalyzer(argv) ? [] : await loadRecorderCommands();
  const cli = yargs(argv)
    .scriptName('dropcap')
    .usage('$0 <command> [options]\n\nRecord and analyze the TCP packets the Linux kernel drops, with the reason and the kernel stack.')
    .command(analyzeCommand as CommandModule)
    .command(recorderCommands)
    .demandCommand(1, 'name a command: record, analyze, demo, reasons or completion')
    .recommendCommands()
    .strict()
    .completion('completion', 'print a bash/zsh completion script (dropcap completion >> ~/.bashrc)', completeOptions)
    .version(VERSION)
    .help()
    .alias('h', 'help')
    .wrap(Math.min(110, process.stdout.columns || 100))
    .epilog('Exit codes: 0 ok, 1 failure, 2 usage error, 3 missing privileges, 4 data lost while recording.\nDocs: README.md, docs/capture-format.md, docs/schema.md')
    .fail((msg, err) => {
      if (err) throw err;
      const usage = new Error(`${msg}; see 'dropcap --help'`) as Error & { code: string };
      usage.code = 'EUSAGE';
      throw usage;
    });
  await cli.parseAsync();
}

stopWhenStdoutCloses();
main(hideBin(process.argv)).catch((err: unknown) => {
  process.stderr.write(`${formatError(err, process.argv.includes('--verbose'))}\n`);
  process.exitCode = (err as { code?: string })?.code === 'EUSAGE' ? EXIT_USAGE : exitCodeFor(err);
});
