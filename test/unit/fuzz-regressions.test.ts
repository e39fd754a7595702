// Every input that ever broke the analyzer (fixtures/regressions/, see its
// README) goes through the whole fuzz pipeline again: reader, decoder,
// symbolizer, SQLite import and every analyze command. Each must now be
// read or refused with a typed error, within the time bound.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runPipeline } from '../fuzz/pipeline.js';

const DIR = fileURLToPath(new URL('../../fixtures/regressions/', import.meta.url));
const dcaps = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.dcap')).sort() : []);
const inputs = dcaps(DIR);
/** Inputs that still break code outside the hardening slice (see docs/reliability.md); they must keep failing until fixed, then move up. */
const open = dcaps(path.join(DIR, 'open'));

describe('fuzz regressions', () => {
  it('has regression inputs to replay', () => {
    expect(inputs.length).toBeGreaterThan(0);
  });

  it.each(inputs)('%s', async (name) => {
    const file = path.join(DIR, name);
    // small inputs go through every command; bombs (hundreds of MiB decoded) through two, to keep npm test short
    const commands = fs.statSync(file).size < 64 << 10 ? 'all' : 1;
    const t0 = performance.now();
    const r = await runPipeline(file, { commands });
    expect(['ok', 'refused']).toContain(r.outcome);
    expect(performance.now() - t0).toBeLessThan(30_000);
  }, 120_000);

  it.fails.each(open)('open/%s still breaks the contract (fix it, then move it to fixtures/regressions/)', async (name) => {
    await runPipeline(path.join(DIR, 'open', name), { commands: 'all' });
  }, 120_000);
});
