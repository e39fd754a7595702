// The built analyzer's two import paths (sqlite/import.ts): decoding in a
// worker thread, rows bound here, must give the very database, warnings and
// errors that decoding in this thread gives: on every real fixture, the
// damaged ones, the fuzzer's regressions and several captures at once.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { dumpWithoutSources } from '../support/db-dump.js';

type Analyzer = typeof import('@dropcap/analyzer');
const DIST = fileURLToPath(new URL('../../packages/analyzer/dist/index.js', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));
const { loadCaptures } = (await import(DIST)) as Analyzer;

const captures = (dir: string) =>
  fs.readdirSync(`${FIXTURES}${dir}`).filter((f) => f.endsWith('.dcap')).map((f) => `${FIXTURES}${dir}/${f}`);

type Outcome = { decodedIn: string | null; warnings: string[]; tables: Record<string, string[]> } | { error: string };

function load(paths: string[], importThreads: 'worker' | 'in-thread', dropRows = true): Outcome {
  try {
    const a = loadCaptures(paths, { importThreads, dropRows });
    try {
      return { decodedIn: a.decodedIn, warnings: a.warnings, tables: dumpWithoutSources(a.db) };
    } finally {
      a.db.close();
    }
  } catch (err) {
    const e = err as Error & { code?: string };
    return { error: `${e.name} ${e.code ?? ''}: ${e.message}` };
  }
}

function expectSame(paths: string[], dropRows = true): Outcome {
  const worker = load(paths, 'worker', dropRows);
  const here = load(paths, 'in-thread', dropRows);
  if ('error' in here) {
    expect(worker).toEqual(here);
  } else {
    expect('error' in worker ? worker.error : worker.decodedIn).toBe('worker');
    expect(here.decodedIn).toBe('in-thread');
    expect({ ...worker, decodedIn: null }).toEqual({ ...here, decodedIn: null });
  }
  return here;
}

describe('import in a worker thread', () => {
  for (const file of [...captures('scenarios'), ...captures('storm'), ...captures('second-host')]) {
    it(`same database for ${file.slice(FIXTURES.length)}`, { timeout: 60_000 }, () => {
      const r = expectSame([file]);
      expect('error' in r ? r.error : r.tables._drop!.length).toBeGreaterThan(0);
    });
  }

  for (const file of [...captures('damaged'), ...captures('regressions')]) {
    it(`same result for ${file.slice(FIXTURES.length)}`, { timeout: 60_000 }, () => {
      expectSame([file]);
    });
  }

  it('same database for several captures at once', { timeout: 60_000 }, () => {
    const r = expectSame([...captures('scenarios'), ...captures('second-host')]);
    expect('error' in r ? r.error : r.tables.captures!.length).toBe(2);
  });

  it('a database kept with --db, its bulk tables paged from the worker\'s rows, equals one that bound every row', { timeout: 60_000 }, () => {
    const paths = [...captures('scenarios'), ...captures('storm'), ...captures('second-host')];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dropcap-kept-'));
    try {
      const kept = loadCaptures(paths, { importThreads: 'worker', dbPath: path.join(dir, 'kept.db') });
      const bound = loadCaptures(paths, { importThreads: 'in-thread' });
      expect(kept.decodedIn).toBe('worker');
      expect(kept.db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(dumpWithoutSources(kept.db)).toEqual(dumpWithoutSources(bound.db));
      // rowids too: _big_len names drops by theirs
      const drops = (db: typeof kept.db) => db.prepare('SELECT rowid, * FROM _drop').raw().safeIntegers(true).all();
      expect(drops(kept.db)).toEqual(drops(bound.db));
      expect(fs.readdirSync(dir)).toEqual(['kept.db']);
      kept.db.close();
      bound.db.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('same database without drop rows (the unfiltered summary)', { timeout: 60_000 }, () => {
    const r = expectSame([...captures('storm'), ...captures('scenarios')], false);
    expect('error' in r ? r.error : r.tables._drop!.length).toBe(0);
    expect('error' in r ? r.error : r.tables._group!.length).toBeGreaterThan(0);
  });

  it('the same typed error for a file that is not a capture', () => {
    const notCapture = fileURLToPath(new URL('../../package.json', import.meta.url));
    const r = expectSame([notCapture]);
    expect('error' in r && r.error).toMatch(/^CaptureFormatError BAD_MAGIC: /);
  });

  it('chooses the worker for big captures only', () => {
    const small = loadCaptures(captures('scenarios'));
    expect(small.decodedIn).toBe('in-thread');
    small.db.close();
  });
});
