import yargs from 'yargs';
import { describe, expect, it } from 'vitest';
import { createProgressBar, formatProgress, withOutputOptions } from '../../packages/analyzer/src/output/index.js';

function parse(argv: string[], formats?: Parameters<typeof withOutputOptions>[1]) {
  let failure: string | undefined;
  const parser = withOutputOptions(yargs(), formats)
    .exitProcess(false)
    .fail((msg) => {
      failure = msg;
    });
  const args = parser.parseSync(argv);
  return { args, failure };
}

describe('withOutputOptions', () => {
  it('defaults to table and accepts the four formats', () => {
    expect(parse([]).args.format).toBe('table');
    for (const f of ['table', 'json', 'ndjson', 'csv']) expect(parse(['--format', f]).args.format).toBe(f);
  });
  it('rejects other formats, and the narrowed set of a command', () => {
    expect(parse(['--format', 'xml']).failure).toMatch(/Invalid values/);
    expect(parse(['--format', 'csv'], ['table', 'json']).failure).toMatch(/Choices: "table", "json"/);
  });
});

describe('progress bar', () => {
  it('draws nothing when stderr is not a terminal', () => {
    const written: string[] = [];
    const bar = createProgressBar({ isTTY: false, write: (s: string) => written.push(s) });
    expect(bar.onProgress).toBeUndefined();
    bar.finish();
    expect(written).toEqual([]);
  });
  it('on a terminal, redraws at most every 100 ms, always the final state, and erases itself', () => {
    const written: string[] = [];
    let now = 0;
    const bar = createProgressBar({ isTTY: true, write: (s: string) => written.push(s) }, () => now);
    bar.onProgress?.(1, 10);
    now = 50;
    bar.onProgress?.(2, 10); // too soon: skipped
    now = 60;
    bar.onProgress?.(10, 10); // final: always drawn
    bar.finish();
    expect(written).toEqual([`\r${formatProgress(1, 10)}`, `\r${formatProgress(10, 10)}`, '\r\u001b[2K']);
    expect(formatProgress(1, 2, 10)).toBe('importing [#####.....]  50%');
  });
});
