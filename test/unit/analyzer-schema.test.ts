import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DROP_COLUMNS, SCHEMA, loadCaptures, schemaMarkdown, schemaText } from '@dropcap/analyzer';
import { tmpDir, writeSyntheticCapture } from '../support/synthetic-capture.js';

const docPath = fileURLToPath(new URL('../../docs/schema.md', import.meta.url));

describe('SCHEMA', () => {
  it('docs/schema.md is generated from it (regenerate: npm run docs:schema)', () => {
    if (process.env.UPDATE_SCHEMA_DOC) fs.writeFileSync(docPath, schemaMarkdown());
    expect(fs.readFileSync(docPath, 'utf8')).toBe(schemaMarkdown());
  });

  it('describes exactly the columns the database has, each documented', () => {
    const t = tmpDir();
    try {
      const f = t.file('s.dcap');
      writeSyntheticCapture(f, { events: [{}] });
      const { db } = loadCaptures([f]);
      for (const r of SCHEMA) {
        const actual = db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(r.name);
        expect(actual, r.name).toEqual(r.columns.map((c) => c.name));
        for (const c of r.columns) expect(c.doc.length, `${r.name}.${c.name}`).toBeGreaterThan(2);
      }
      const listed = new Set(SCHEMA.map((r) => r.name));
      const inDb = db.prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'").pluck().all() as string[];
      expect(inDb.filter((n) => !listed.has(n))).toEqual([]);
    } finally {
      t.cleanup();
    }
  });

  it('the drops view has the DropRow columns in order', () => {
    expect(SCHEMA.find((r) => r.name === 'drops')!.columns.map((c) => c.name)).toEqual([...DROP_COLUMNS]);
  });

  it('the schema text lists user relations and hides internal tables', () => {
    const text = schemaText();
    expect(text).toMatch(/^drops \(view\): /m);
    expect(text).toMatch(/^\s+reason_code\s+INTEGER\s+Raw drop-reason value/m);
    expect(text).not.toMatch(/_drop \(table\)/);
    expect(schemaText({ internal: true })).toMatch(/^_drop \(table\)/m);
  });
});
