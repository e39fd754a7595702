// The built `dropcap analyze` on the damaged fixtures derived from
// fixtures/scenarios/scenarios.dcap (fixtures/damaged/README.md): a reader
// keeps every whole block before the damage, says what it could not read
// (stats and a warning) and exits 0; it refuses a newer major version with one
// line. Offsets, byte counts and event counts come from damaged/expected.json.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runDropcap } from '../support/cli.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));

interface DamagedFixture {
  bytes: number;
  damage?: { cause: string; offset: number; bytes_unread: number } | null;
  events?: number;
  clean_stop?: boolean;
  unknown_blocks?: number;
  major?: number;
}

const EXPECTED = JSON.parse(readFileSync(`${FIXTURES}damaged/expected.json`, 'utf8')) as {
  source: string;
  source_events: number;
  supported_major: number;
  fixtures: Record<string, DamagedFixture>;
};
const SOURCE = `${FIXTURES}${EXPECTED.source}`;
const file = (name: string) => `${FIXTURES}damaged/${name}`;
const fx = (name: string) => EXPECTED.fixtures[name]!;

interface Info {
  events: number;
  lost_events: number;
  clean_stop: number;
  file_size: number;
  stats: Array<{ name: string; severity: string; value: number }>;
}

function run(args: string[]) {
  return runDropcap(['analyze', ...args]);
}

function info(name: string): { info: Info; stderr: string } {
  const r = run(['info', file(name), '--format', 'json']);
  expect(r.status, r.stderr).toBe(0);
  const [record] = JSON.parse(r.stdout) as Info[];
  return { info: record!, stderr: r.stderr };
}

const stat = (i: Info, name: string) => i.stats.find((s) => s.name === name);

/** The drop lines `list` prints (header removed). */
function listLines(path: string): { lines: string[]; stderr: string } {
  const r = run(['list', path, '--utc']);
  expect(r.status, r.stderr).toBe(0);
  return { lines: r.stdout.trimEnd().split('\n').slice(1), stderr: r.stderr };
}

describe.each(['truncated.dcap', 'checksum.dcap'])('damaged/%s', (name) => {
  const f = fx(name);

  it('reads the whole blocks before the damage and reports the unread bytes as data loss', () => {
    const { info: i, stderr } = info(name);
    expect(i.events).toBe(f.events);
    expect(i.events).toBeLessThan(EXPECTED.source_events);
    expect(i.file_size).toBe(f.bytes);
    expect(stat(i, 'truncated_bytes')).toMatchObject({ severity: 'data_loss', value: f.damage!.bytes_unread });
    // the END block lies beyond the damage
    expect(i.clean_stop).toBe(0);
    expect(stat(i, 'unclean_stop')?.value).toBe(1);
    expect(stat(i, 'unknown_blocks')?.value).toBe(0);
    // the warning names the file, the cause and where it happened
    const warning = stderr.split('\n').find((l) => l.startsWith('warning:') && l.includes(`at byte ${f.damage!.offset}`));
    expect(warning, stderr).toBeDefined();
    expect(warning).toContain(name);
    expect(warning).toContain(`${f.damage!.bytes_unread} bytes unread`);
    if (f.damage!.cause === 'checksum') expect(warning).toMatch(/checksum/);
    else expect(warning).toMatch(/cut/);
    // the END block lies beyond a checksum error, unread: the recorder is not blamed
    const end = stderr.split('\n').find((l) => l.startsWith('warning:') && /END block/.test(l));
    if (f.damage!.cause === 'checksum') {
      expect(end).toMatch(/END block not reached: reading stopped at the block checksum mismatch at byte \d+/);
      expect(stderr).not.toMatch(/cut short|killed/);
    } else expect(end).toMatch(/no END block: the recording was cut short/);
  });

  it('lists the same leading drops as the undamaged capture', () => {
    const damaged = listLines(file(name));
    const whole = listLines(SOURCE);
    expect(damaged.lines).toEqual(whole.lines.slice(0, f.events));
    expect(damaged.stderr).toMatch(/^warning: /m);
    expect(whole.stderr).toBe('');
  });

  it('summary and query still exit 0, and say the capture is damaged', () => {
    const s = run([file(name)]);
    expect(s.status, s.stderr).toBe(0);
    // on stderr, like every command's warnings: seen even with stdout redirected
    expect(s.stderr).toMatch(new RegExp(`^warning: ${f.damage!.bytes_unread} bytes of the capture could not be read`, 'm'));
    expect(s.stdout).not.toMatch(/could not be read/);
    expect(s.stdout).toMatch(new RegExp(`^  events +${f.events}$`, 'm'));
    if (f.damage!.cause === 'checksum') {
      expect(s.stderr).toMatch(/checksum mismatch/);
      expect(s.stderr).not.toMatch(/did not end cleanly|killed/);
    }
    // the JSON summary stays one valid document, the warnings again on stderr
    const j = run([file(name), '--format', 'json']);
    expect((JSON.parse(j.stdout) as { warnings: string[] }).warnings.length).toBeGreaterThan(0);
    expect(j.stderr).toMatch(/^warning: .*could not be read/m);
    const q = run(['query', file(name), "SELECT value FROM stats WHERE name = 'truncated_bytes'", '--format', 'json']);
    expect(q.status, q.stderr).toBe(0);
    expect(JSON.parse(q.stdout)).toEqual([{ value: f.damage!.bytes_unread }]);
    expect(q.stderr).toMatch(/^warning: /m);
  });
});

describe('damaged/unknown-block.dcap', () => {
  const f = fx('unknown-block.dcap');

  it('skips the unknown block with a warning and reads everything else', () => {
    const { info: i, stderr } = info('unknown-block.dcap');
    expect(i.events).toBe(f.events);
    expect(i.events).toBe(EXPECTED.source_events);
    expect(stat(i, 'unknown_blocks')?.value).toBe(f.unknown_blocks);
    expect(stat(i, 'truncated_bytes')?.value).toBe(0);
    expect(i.clean_stop).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([expect.stringMatching(/^warning: .*unknown-block\.dcap.* 1 block.* unknown type/)]);
  });

  it('decodes the same drops as the capture it came from', () => {
    const withUnknown = listLines(file('unknown-block.dcap'));
    expect(withUnknown.lines).toEqual(listLines(SOURCE).lines);
    const s = run([file('unknown-block.dcap')]);
    expect(s.status).toBe(0);
    expect(s.stdout).toMatch(/unknown type/);
    expect(s.stderr).toBe('');
  });
});

describe('an empty file', () => {
  it('is refused as empty, not as "bad magic"', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dropcap-empty-'));
    try {
      const empty = join(dir, 'empty.dcap');
      writeFileSync(empty, '');
      const r = run([empty]);
      expect(r.status).toBe(1);
      expect(r.stderr).toBe(`dropcap: ${empty}: the file is empty (0 bytes), not a capture; give a file written by \`dropcap record -w\`\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('damaged/newer-major.dcap', () => {
  const f = fx('newer-major.dcap');

  // [subcommand, extra args]: the file goes right after the subcommand
  it.each([['summary', []], ['list', []], ['info', []], ['query', ['SELECT 1']]] as const)('analyze %s refuses it in one line naming the version', (sub, extra) => {
    const args = [sub, file('newer-major.dcap'), ...extra];
    const r = run(args);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('newer-major.dcap');
    expect(lines[0]).toMatch(new RegExp(`version ${f.major}\\b`));
    expect(lines[0]).toMatch(new RegExp(`\\(${EXPECTED.supported_major}\\)|reads ${EXPECTED.supported_major}|supports ${EXPECTED.supported_major}`));
    expect(lines[0]).toMatch(/upgrade/);
  });
});
