// Proves the TypeScript record layout equals struct dropcap_event as the C
// compiler lays it out: compiles bpf/dropcap.h into a tiny program that
// prints offsetof/sizeof of every field as JSON.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EVENT_LAYOUT_V1, validateLayout } from '@dropcap/format';

const header = fileURLToPath(new URL('../../bpf/dropcap.h', import.meta.url));

function cLayout(): { size: number; fields: Array<{ name: string; offset: number; size: number }> } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dropcap-layout-'));
  try {
    // the field list is the TS one: a field missing from the C struct fails to compile
    const lines = EVENT_LAYOUT_V1.fields.map(
      (f, i) =>
        `printf("%s{\\"name\\":\\"${f.name}\\",\\"offset\\":%zu,\\"size\\":%zu}", ${i ? '","' : '""'}, offsetof(struct dropcap_event, ${f.name}), sizeof(((struct dropcap_event *)0)->${f.name}));`,
    );
    const src = `#include <linux/types.h>
#include <stddef.h>
#include <stdio.h>
#include "${header}"
int main(void) {
  printf("{\\"size\\":%zu,\\"fields\\":[", sizeof(struct dropcap_event));
  ${lines.join('\n  ')}
  printf("]}\\n");
  return 0;
}
`;
    fs.writeFileSync(path.join(dir, 'layout.c'), src);
    execFileSync('cc', ['-std=c11', '-Wall', '-Werror', '-o', path.join(dir, 'layout'), path.join(dir, 'layout.c')]);
    return JSON.parse(execFileSync(path.join(dir, 'layout'), { encoding: 'utf8' }));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('EVENT_LAYOUT_V1', () => {
  it('matches struct dropcap_event compiled by cc, field for field', () => {
    const c = cLayout();
    expect(EVENT_LAYOUT_V1.size).toBe(c.size);
    expect(EVENT_LAYOUT_V1.fields.map(({ name, offset, size }) => ({ name, offset, size }))).toEqual(c.fields);
  });

  it('covers the whole struct without overlaps', () => {
    const sorted = [...EVENT_LAYOUT_V1.fields].sort((a, b) => a.offset - b.offset);
    let end = 0;
    for (const f of sorted) {
      expect(f.offset, f.name).toBe(end);
      end = f.offset + f.size;
    }
    expect(end).toBe(EVENT_LAYOUT_V1.size);
  });

  it('is valid by its own validator', () => {
    expect(validateLayout(JSON.parse(JSON.stringify(EVENT_LAYOUT_V1)))).toEqual(EVENT_LAYOUT_V1);
  });
});

describe('validateLayout', () => {
  const base = () => JSON.parse(JSON.stringify(EVENT_LAYOUT_V1));
  it.each([
    ['a field past the record end', (l: any) => (l.fields[0].offset = 118)],
    ['an integer with the wrong width', (l: any) => (l.fields[4].size = 2)],
    ['an unknown type', (l: any) => (l.fields[4].type = 'f32')],
    ['a duplicate name', (l: any) => (l.fields[1].name = 'ts_ns')],
    ['a huge record size', (l: any) => (l.size = 1e9)],
    ['no fields list', (l: any) => delete l.fields],
  ])('rejects %s', (_why, mutate) => {
    const l = base();
    mutate(l);
    expect(() => validateLayout(l)).toThrow(expect.objectContaining({ code: 'BAD_LAYOUT' }));
  });
  it('rejects non-objects', () => {
    expect(() => validateLayout(null)).toThrow(/not a map/);
    expect(() => validateLayout([1])).toThrow(/not a map/);
  });
});
