// Issue 3, "Runs anywhere": the analyzer installs and runs on its own. The
// format, analyzer and cli workspaces are packed (`npm pack`), installed from
// the tarballs into a directory outside the repository with no recorder, no
// native addon and no BPF tooling, and the installed `dropcap` is run as an
// unprivileged user (nobody) on a real fixture.
//
// Root is needed to switch to nobody, so the file is gated like the kernel
// tests: skipped without root outside CI, failing in CI.
//
// Speed: better-sqlite3 has to be compiled from source here (no prebuilt
// binary may be downloaded: npm_config_build_from_source), about two minutes
// of CPU. The install directory is therefore kept between runs (keyed by the
// Node ABI): the @dropcap packages are packed and reinstalled every time, npm
// prunes anything no longer declared, and only the compiled better-sqlite3 is
// reused. The first run on a machine (always, in CI) is a clean install into
// an empty directory.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDropcap } from '../support/cli.js';
import { requireRoot } from '../support/netns.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const PACKED = ['format', 'analyzer', 'cli'];
const NOBODY = 65534;
const INSTALL_TIMEOUT_MS = 15 * 60_000;

const SCEN = JSON.parse(fs.readFileSync(path.join(REPO, 'fixtures/scenarios/expected.json'), 'utf8')) as {
  hostname: string;
  total: number;
  by_reason: Record<string, number>;
  reason_codes: Record<string, number>;
};

/** A base directory with no node_modules in it or above it: Node's resolution must not find the repository's packages. */
function isolatedBase(): string {
  const hasNodeModulesAbove = (dir: string): boolean => {
    for (let d = path.resolve(dir); ; d = path.dirname(d)) {
      if (fs.existsSync(path.join(d, 'node_modules'))) return true;
      if (d === path.dirname(d)) return false;
    }
  };
  const base = [os.tmpdir(), '/var/tmp'].find((d) => fs.existsSync(d) && !hasNodeModulesAbove(d));
  if (!base) throw new Error(`no temporary directory without a node_modules above it (${os.tmpdir()}, /var/tmp): remove the stray node_modules`);
  return base;
}

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): SpawnSyncReturns<string> {
  const r = spawnSync(cmd, args, { encoding: 'utf8', cwd: opts.cwd, env: opts.env ?? process.env, timeout: opts.timeoutMs ?? 120_000, maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  return r;
}

function mustRun(cmd: string, args: string[], opts: Parameters<typeof run>[2] = {}): string {
  const r = run(cmd, args, opts);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}:\n${r.stderr.slice(-4000)}`);
  return r.stdout;
}

/** Every file under dir (relative paths). */
function walk(dir: string, rel = ''): string[] {
  return fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).flatMap((e) => {
    const p = path.join(rel, e.name);
    return e.isDirectory() ? walk(dir, p) : [p];
  });
}

describe.skipIf(!requireRoot())('an analyzer-only install (npm pack, npm install), run as nobody', () => {
  let work = '';
  let app = '';
  let fixture = '';
  let dropcapBin = '';
  const env = () => ({ PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin`, HOME: work, NO_COLOR: '1', TZ: 'UTC', LANG: 'C' });
  const asNobody = (args: string[]) =>
    run('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', dropcapBin, ...args], { cwd: path.dirname(fixture), env: env(), timeoutMs: 60_000 });

  beforeAll(() => {
    const base = isolatedBase();
    work = fs.mkdtempSync(path.join(base, 'dropcap-standalone-'));
    fs.chmodSync(work, 0o755);

    // 1. pack the three workspaces as they would be published
    const packs = path.join(work, 'packs');
    fs.mkdirSync(packs);
    for (const pkg of PACKED) mustRun('npm', ['pack', '--silent', '--pack-destination', packs], { cwd: path.join(REPO, 'packages', pkg) });
    const tarballs = fs.readdirSync(packs).filter((f) => f.endsWith('.tgz')).map((f) => path.join(packs, f));
    expect(tarballs).toHaveLength(PACKED.length);

    // 2. install them (and only them) outside the repository
    const cache = path.join(base, `dropcap-standalone-node${process.versions.modules}-${process.platform}-${process.arch}`);
    app = path.join(cache, 'app');
    fs.mkdirSync(app, { recursive: true });
    fs.chmodSync(cache, 0o755);
    fs.chmodSync(app, 0o755);
    // npm 11 runs a dependency's install script only when allowed: better-sqlite3 must build its addon
    const manifest = path.join(app, 'package.json');
    if (!fs.existsSync(manifest)) {
      fs.writeFileSync(manifest, `${JSON.stringify({ name: 'dropcap-standalone-check', private: true, allowScripts: { 'better-sqlite3': true } }, null, 2)}\n`);
    }
    // the @dropcap packages always come from this run's tarballs
    fs.rmSync(path.join(app, 'node_modules', '@dropcap'), { recursive: true, force: true });
    const nodedir = fs.existsSync('/usr/include/node/node.h') ? ['--nodedir=/usr'] : [];
    mustRun('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...nodedir, ...tarballs], {
      cwd: app,
      // compile better-sqlite3 instead of downloading a prebuilt binary
      env: { ...process.env, npm_config_build_from_source: 'true' },
      timeoutMs: INSTALL_TIMEOUT_MS,
    });
    dropcapBin = path.join(app, 'node_modules', '.bin', 'dropcap');

    // 3. a fixture nobody can read
    const dir = path.join(work, 'capture');
    fs.mkdirSync(dir, { mode: 0o755 });
    fs.chmodSync(dir, 0o755);
    fixture = path.join(dir, 'scenarios.dcap');
    fs.copyFileSync(path.join(REPO, 'fixtures/scenarios/scenarios.dcap'), fixture);
    fs.chmodSync(fixture, 0o644);
  }, INSTALL_TIMEOUT_MS + 60_000);

  afterAll(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('installed format, analyzer and cli only: no recorder, no native addon, no BPF object', () => {
    const scoped = fs.readdirSync(path.join(app, 'node_modules', '@dropcap')).sort();
    expect(scoped).toEqual(['analyzer', 'cli', 'format']);
    const files = walk(path.join(app, 'node_modules'));
    expect(files.filter((f) => /(^|\/)@dropcap\/(native|recorder)\//.test(f))).toEqual([]);
    // native code comes only from third-party dependencies: better-sqlite3 (required)
    // and msgpackr's optional accelerator; never from dropcap
    const addons = files.filter((f) => f.endsWith('.node'));
    expect(addons.some((f) => f.startsWith('better-sqlite3/'))).toBe(true);
    expect(addons.filter((f) => !/^(better-sqlite3|msgpackr-extract|@msgpackr-extract\/[\w-]+)\//.test(f))).toEqual([]);
    expect(files.filter((f) => path.basename(f) === 'dropcap.node')).toEqual([]);
    expect(files.filter((f) => f.endsWith('.bpf.o') || f.endsWith('.skel.h'))).toEqual([]);
    expect(fs.existsSync(dropcapBin)).toBe(true);
  });

  it('runs as an unprivileged user', () => {
    const r = run('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', 'id', '-u'], { env: env() });
    expect(r.stdout.trim()).toBe(String(NOBODY));
    // the copy nobody reads, outside the repository
    expect(fs.statSync(fixture).mode & 0o777).toBe(0o644);
  });

  it('summarizes the fixture as nobody, exactly as the repository build does', () => {
    const r = asNobody(['analyze', fixture]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.split('\n');
    expect(lines).toContain(`  host      ${SCEN.hostname}`);
    expect(lines).toContain(`  events    ${SCEN.total}`);
    expect(r.stdout).toMatch(new RegExp(`^  ${SCEN.total} drops, ${Object.keys(SCEN.by_reason).length} reasons, `, 'm'));
    for (const [reason, n] of Object.entries(SCEN.by_reason)) expect(r.stdout, reason).toMatch(new RegExp(`^  ${reason} +${SCEN.reason_codes[reason]} +${n} +`, 'm'));
    const repo = runDropcap(['analyze', fixture], { env: { TZ: 'UTC', LANG: 'C' } });
    expect(repo.status).toBe(0);
    expect(r.stdout).toBe(repo.stdout);
  });

  it('lists and queries as nobody (SQLite in memory, no write access needed)', () => {
    const list = asNobody(['analyze', 'list', fixture, '--stacks']);
    expect(list.status, list.stderr).toBe(0);
    expect(list.stdout.split('\n').filter((l) => /^\d\d:\d\d:\d\d /.test(l))).toHaveLength(SCEN.total);
    const q = asNobody(['analyze', 'query', fixture, 'SELECT reason, count(*) AS n FROM drops GROUP BY 1 ORDER BY 1', '--format', 'json']);
    expect(q.status, q.stderr).toBe(0);
    expect(JSON.parse(q.stdout)).toEqual(Object.keys(SCEN.by_reason).sort().map((reason) => ({ reason, n: SCEN.by_reason[reason] })));
  });

  it('says in one line that `record` needs the recorder, which is not installed', () => {
    const bare = asNobody(['record']);
    expect(bare.status).not.toBe(0);
    expect(bare.stderr.trim().split('\n')).toEqual([expect.stringMatching(/recorder.*not installed/)]);
  });

  it('says the same when `record` is given its usual options', () => {
    const out = path.join(path.dirname(fixture), 'never.dcap');
    const r = asNobody(['record', '-w', out, '--netns', 'x', '-v']);
    expect(r.status).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/recorder.*not installed/)]);
    expect(fs.existsSync(out)).toBe(false);
  });
});
