import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  csvField,
  csvRecord,
  formatRows,
  formatTable,
  printRows,
  sanitizeTerminal,
  shouldUseColor,
  stringifyJson,
  writeLines,
} from '../../packages/analyzer/src/output/index.js';

function collect(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

describe('sanitizeTerminal', () => {
  it('removes CSI, OSC, C1 and bare control characters but keeps visible text', () => {
    expect(sanitizeTerminal('a\u001b[31mred\u001b[0mb')).toBe('aredb');
    expect(sanitizeTerminal('x\u001b]0;title\u0007y')).toBe('xy');
    expect(sanitizeTerminal('x\u001b]8;;http://evil\u001b\\link\u001b]8;;\u001b\\y')).toBe('xlinky');
    expect(sanitizeTerminal('p\u009b2Jq')).toBe('pq');
    expect(sanitizeTerminal('tab\there\r\nbell\u0007del\u007f')).toBe('tabherebelldel');
    expect(sanitizeTerminal('abc\u202edcba')).toBe('abcdcba');
    expect(sanitizeTerminal('ksoftirqd/0 é ▇')).toBe('ksoftirqd/0 é ▇');
  });
});

describe('JSON', () => {
  it('writes safe bigints as numbers and larger ones as exact strings', () => {
    expect(stringifyJson({ a: 5n, b: 18446744073709551615n, c: -(2n ** 60n) })).toBe(
      '{"a":5,"b":"18446744073709551615","c":"-1152921504606846976"}',
    );
  });
  it('writes Buffers as hex', () => {
    expect(stringifyJson({ blob: Buffer.from([0xde, 0xad]) })).toBe('{"blob":"dead"}');
  });
});

describe('CSV (RFC 4180)', () => {
  it('quotes fields with commas, quotes, CR or LF and doubles quotes', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\rhere')).toBe('"cr\rhere"');
  });
  it('ends records with CRLF and writes NULL as an empty field', () => {
    expect(csvRecord(['a', null, 3, 2n ** 64n])).toBe('a,,3,18446744073709551616\r\n');
  });
  it('defuses spreadsheet formulas in strings but leaves numbers alone', () => {
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('+1')).toBe("'+1");
    expect(csvField(-5)).toBe('-5');
  });
});

describe('table', () => {
  it('aligns columns, right-aligns numbers and strips escapes from cells', () => {
    const lines = formatTable(['reason', 'drops'], [
      ['NO_SOCKET', 12],
      ['TCP_\u001b[31mCSUM', 3n],
      [null, 100],
    ]);
    expect(lines).toEqual([
      'reason     drops',
      '---------  -----',
      'NO_SOCKET     12',
      'TCP_CSUM       3',
      '             100',
    ]);
  });
  it('bolds the header only when colour is on', () => {
    expect(formatTable(['a'], [['x']], { color: true })[0]).toBe('\u001b[1ma\u001b[22m');
    expect(formatTable(['a'], [['x']], { color: false })[0]).toBe('a');
  });
});

describe('colour decision', () => {
  it('needs a TTY, and NO_COLOR (non-empty) or TERM=dumb turns it off', () => {
    expect(shouldUseColor({ isTTY: true }, {})).toBe(true);
    expect(shouldUseColor({ isTTY: false }, {})).toBe(false);
    expect(shouldUseColor({}, {})).toBe(false);
    expect(shouldUseColor({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(shouldUseColor({ isTTY: true }, { NO_COLOR: '' })).toBe(true);
    expect(shouldUseColor({ isTTY: true }, { TERM: 'dumb' })).toBe(false);
  });
});

describe('printRows', () => {
  const columns = ['id', 'comm', 'id'];
  const rows = [
    [1, 'curl', 2n ** 63n],
    [2, 'a,"b"', null],
  ];

  it('json: an array of objects, duplicate column names disambiguated', async () => {
    const out = collect();
    await printRows(columns, rows, 'json', out.stream);
    expect(JSON.parse(out.text())).toEqual([
      { id: 1, comm: 'curl', id_2: '9223372036854775808' },
      { id: 2, comm: 'a,"b"', id_2: null },
    ]);
  });

  it('json: an empty result is an empty array', async () => {
    const out = collect();
    await printRows(['x'], [], 'json', out.stream);
    expect(JSON.parse(out.text())).toEqual([]);
  });

  it('ndjson: one object per line', async () => {
    const out = collect();
    await printRows(columns, rows, 'ndjson', out.stream);
    const lines = out.text().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
    expect(JSON.parse(lines[0] ?? '')).toEqual({ id: 1, comm: 'curl', id_2: '9223372036854775808' });
    expect(JSON.parse(lines[1] ?? '')).toEqual({ id: 2, comm: 'a,"b"', id_2: null });
  });

  it('csv: header then records, CRLF-terminated', async () => {
    const out = collect();
    await printRows(columns, rows, 'csv', out.stream);
    expect(out.text()).toBe('id,comm,id\r\n1,curl,9223372036854775808\r\n2,"a,""b""",\r\n');
  });

  it('table: same lines as formatTable', async () => {
    const out = collect();
    await printRows(columns, rows, 'table', out.stream);
    expect(out.text()).toBe(formatTable(columns, rows).join('\n') + '\n');
    expect([...formatRows(columns, rows, 'table')]).toEqual(formatTable(columns, rows));
  });
});

describe('writeLines', () => {
  it('waits for drain on a slow stream and loses nothing', async () => {
    const received: string[] = [];
    const slow = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _enc, done) {
        received.push(chunk.toString());
        setTimeout(done, 1);
      },
    });
    const lines = Array.from({ length: 20000 }, (_, i) => `line ${i}`);
    expect(await writeLines(lines, slow)).toBe(true);
    await new Promise<void>((resolve) => slow.end(resolve));
    expect(received.join('')).toBe(lines.join('\n') + '\n');
  });

  it('stops quietly when the reader goes away (EPIPE)', async () => {
    let writes = 0;
    const broken = new Writable({
      highWaterMark: 1,
      write(_chunk, _enc, done) {
        writes++;
        done(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    const endless = (function* () {
      for (let i = 0; ; i++) yield `x${i}`.padEnd(1000, 'x');
    })();
    expect(await writeLines(endless, broken)).toBe(false);
    expect(writes).toBe(1);
  });

  it('rethrows errors other than EPIPE', async () => {
    const failing = new Writable({
      highWaterMark: 1,
      write(_chunk, _enc, done) {
        done(Object.assign(new Error('no space'), { code: 'ENOSPC' }));
      },
    });
    const many = Array.from({ length: 1000 }, () => 'y'.repeat(1000));
    await expect(writeLines(many, failing)).rejects.toThrow('no space');
  });
});

describe('toJsonLine', () => {
  it('is one line, bigint-safe, for NDJSON streams', async () => {
    const { toJsonLine } = await import('../../packages/analyzer/src/output/index.js');
    const line = toJsonLine({ time_ns: 1_763_000_001_000_000_000n, pid: 7n, stack: ['a\nb'] });
    expect(line).toBe('{"time_ns":"1763000001000000000","pid":7,"stack":["a\\nb"]}');
    expect(line).not.toContain('\n');
  });
});
