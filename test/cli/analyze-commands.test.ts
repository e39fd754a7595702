// The analyze commands run in-process through real yargs parsing, against
// synthetic captures written by the real CaptureWriter and loaded by the
// real loader; output is checked line by line.
import { copyFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import yargs from 'yargs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnalyzeCommand, formatDropLine, UsageError, type CommandIO } from '@dropcap/analyzer';
import { CLOCK_OFFSET_NS, KERNEL, START_MONO, tmpDir, writeSyntheticCapture, type EventSpec } from '../support/synthetic-capture.js';

const S = 1_000_000_000n;
const SYN = 0x02;
const SYN_ACK = 0x12;
const STACK = 1;
const STACK_BUDGET = 2;

// Four drops: two NO_SOCKET over IPv4 with the same stack, one firewall drop
// from a task with a hostile name, one NO_SOCKET over IPv6 without a stack.
const EVENTS: EventSpec[] = [
  { ts_ns: START_MONO + 1n * S, saddr: '127.0.0.1', sport: 40000, daddr: '127.0.0.1', dport: 9, tcp_flags: SYN, stack_id: 1, stack_frames: 5, flags: STACK },
  { ts_ns: START_MONO + 2n * S, saddr: '127.0.0.1', sport: 40001, daddr: '127.0.0.1', dport: 9, tcp_flags: SYN, stack_id: 1, stack_frames: 5, flags: STACK },
  {
    ts_ns: START_MONO + 5n * S,
    saddr: '10.0.0.1',
    sport: 80,
    daddr: '10.0.0.2',
    dport: 33280,
    state: 2,
    tcp_flags: SYN_ACK,
    reason: 12,
    stack_id: 2,
    stack_frames: 3,
    flags: STACK,
    location: KERNEL.nft_do_chain + 0x93cn,
    pid: 1234,
    comm: '\u001b[31mcurl',
  },
  { ts_ns: START_MONO + 9n * S, family: 6, saddr: '::1', sport: 5555, daddr: '::1', dport: 443, location: KERNEL.tcp_v6_rcv + 0x22n, flags: STACK_BUDGET },
];

// HH:MM:SS (UTC) of a synthetic event.
const clock = (e: EventSpec) => new Date(Number(((e.ts_ns ?? START_MONO) + CLOCK_OFFSET_NS) / 1_000_000n)).toISOString().slice(11, 19);

interface Run {
  stdout: string;
  stderr: string;
  lines: string[];
}

function sink(isTTY = false) {
  const stream = Object.assign(new PassThrough(), { isTTY });
  let text = '';
  stream.on('data', (d: Buffer) => (text += d.toString('utf8')));
  return { stream, text: () => text };
}

async function analyze(argv: string[], opts: { env?: Record<string, string>; tty?: boolean } = {}): Promise<Run> {
  const out = sink(opts.tty);
  const err = sink(false);
  const io: CommandIO = { stdout: out.stream, stderr: err.stream, env: opts.env ?? {} };
  await yargs()
    .command(createAnalyzeCommand(io))
    .strict()
    .exitProcess(false)
    .fail((msg, error) => {
      throw error ?? new UsageError(msg);
    })
    .parseAsync(['analyze', ...argv]);
  return { stdout: out.text(), stderr: err.text(), lines: out.text().split('\n') };
}

/** `--help` text of a command, as yargs renders it. */
async function help(argv: string[]): Promise<string> {
  let text = '';
  await yargs()
    .command(createAnalyzeCommand())
    .exitProcess(false)
    .parseAsync(['analyze', ...argv, '--help'], {}, (_err, _argv, output) => {
      text = output;
    });
  return text;
}

const tmp = tmpDir('dropcap-analyze-');
const capture = tmp.file('drops.dcap');
const lossy = tmp.file('lossy.dcap');
const web2 = tmp.file('web2.dcap');
const mixed = tmp.file('mixed.dcap');

beforeAll(() => {
  writeSyntheticCapture(capture, { events: EVENTS });
  writeSyntheticCapture(lossy, {
    events: EVENTS.slice(0, 1),
    end: false,
    stats: {
      monotonic_ns: START_MONO + 10n * S,
      counters: { seen: 124, ringbuf_lost: 120, stack_budget: 0, stack_error: 0 },
      user: { events_dropped: 3, batches_dropped: 0 },
    },
  });
  writeSyntheticCapture(web2, {
    hostname: 'web2',
    events: [{ ts_ns: START_MONO + 3n * S, saddr: '192.168.1.1', sport: 1234, daddr: '192.168.1.9', dport: 22, tcp_flags: SYN }],
  });
  const flow = { saddr: '10.1.1.1', sport: 7, daddr: '10.1.1.2', dport: 8 };
  writeSyntheticCapture(mixed, {
    events: [
      { ...flow, ts_ns: START_MONO + 1n * S, reason: 30 },
      { ...flow, ts_ns: START_MONO + 2n * S, reason: 12 },
      { ...flow, ts_ns: START_MONO + 3n * S, reason: 3 },
    ],
  });
});
afterAll(() => tmp.cleanup());

describe('analyze list', () => {
  it('prints the seed header and one seed-format line per drop, in time order', async () => {
    const { lines } = await analyze(['list', capture, '--utc']);
    expect(lines).toEqual([
      'TIME     PID     IP SADDR:SPORT          > DADDR:DPORT          STATE (FLAGS)        REASON (CODE)',
      `${clock(EVENTS[0]!)} 0       4  127.0.0.1:40000      > 127.0.0.1:9          NONE (SYN)           NO_SOCKET (3)`,
      `${clock(EVENTS[1]!)} 0       4  127.0.0.1:40001      > 127.0.0.1:9          NONE (SYN)           NO_SOCKET (3)`,
      `${clock(EVENTS[2]!)} 1234    4  10.0.0.1:80          > 10.0.0.2:33280       SYN_SENT (SYN|ACK)   NETFILTER_DROP (12)`,
      `${clock(EVENTS[3]!)} 0       6  ::1:5555             > ::1:443              NONE ()              NO_SOCKET (3)`,
      '',
    ]);
  });

  it('--stacks: frames under each drop, starting at the drop site, then an empty line', async () => {
    const { lines } = await analyze(['list', capture, '--utc', '--stacks', '--limit', '3']);
    expect(lines.slice(1)).toEqual([
      expect.stringContaining('127.0.0.1:40000'),
      '\ttcp_v4_rcv+0x91',
      '\tip_local_deliver+0x44',
      '\t__netif_receive_skb+0x10',
      '',
      expect.stringContaining('127.0.0.1:40001'),
      '\ttcp_v4_rcv+0x91',
      '\tip_local_deliver+0x44',
      '\t__netif_receive_skb+0x10',
      '',
      expect.stringContaining('NETFILTER_DROP (12)'),
      '\tnft_do_chain+0x93c [nf_tables]',
      '\tip_local_deliver+0x44',
      '\t0xffffffff90000000',
      '',
      '',
    ]);
  });

  it('--stacks: says why a drop has no stack', async () => {
    const { lines } = await analyze(['list', capture, '--stacks', '--port', '443']);
    expect(lines.slice(1)).toEqual([expect.stringContaining('::1:5555'), '\t(no stack: per-CPU stack budget spent)', '', '']);
  });

  it('filters by reason, port, address and relative time', async () => {
    const count = async (args: string[]) => (await analyze(['list', capture, ...args])).lines.filter((l) => / \(\d+\)$/.test(l)).length;
    expect(await count(['--reason', 'netfilter_drop'])).toBe(1);
    expect(await count(['--reason', 'SKB_DROP_REASON_NO_SOCKET'])).toBe(3);
    expect(await count(['--port', '9'])).toBe(2);
    expect(await count(['--host', '0:0:0:0:0:0:0:1'])).toBe(1);
    expect(await count(['--since', '3s'])).toBe(2);
    expect(await count(['--since', '1500ms', '--until', '+6s'])).toBe(2);
    expect(await count(['--since=-2s'])).toBe(1);
  });

  it('--format ndjson: one object per drop with the drops view columns and full stacks', async () => {
    const { lines } = await analyze(['list', capture, '--format', 'ndjson', '--stacks']);
    const rows = lines.filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows).toHaveLength(4);
    expect(rows[2]).toMatchObject({ saddr: '10.0.0.1', dport: 33280, state: 'SYN_SENT', tcp_flags: 'SYN|ACK', reason: 'NETFILTER_DROP', reason_code: 12, pid: 1234, comm: '\u001b[31mcurl' });
    // ns since the epoch exceed 2^53: exact, as a string
    expect(rows[0]?.time_ns).toBe(String(EVENTS[0]!.ts_ns! + CLOCK_OFFSET_NS));
    expect(rows[0]?.stack).toEqual(['bpf_prog_6deef7357e7b4530_dropcap+0x4 [bpf]', 'sk_skb_reason_drop+0x1e4', 'tcp_v4_rcv+0x91', 'ip_local_deliver+0x44', '__netif_receive_skb+0x10']);
    expect(rows[3]?.stack).toEqual([]);
  });

  it('--format csv: RFC 4180 with a header row', async () => {
    const { stdout } = await analyze(['list', capture, '--format', 'csv', '--reason', 'NETFILTER_DROP']);
    const records = stdout.split('\r\n');
    expect(records).toHaveLength(3);
    expect(records[0]?.split(',').slice(0, 4)).toEqual(['capture_id', 'host', 'time_ns', 'time']);
    expect(records[1]).toContain(',10.0.0.1,80,10.0.0.2,33280,SYN_SENT,SYN|ACK,NETFILTER_DROP,12,');
  });

  it('rejects bad filter values as usage errors', async () => {
    await expect(analyze(['list', capture, '--port', 'http'])).rejects.toThrow(UsageError);
    await expect(analyze(['list', capture, '--since', 'soon'])).rejects.toThrow(/--since "soon" is not a time/);
    await expect(analyze(['list', capture, '--format', 'xml'])).rejects.toThrow(/Invalid values/);
  });
});

describe('analyze (summary)', () => {
  it('shows capture info, totals and the top tables', async () => {
    const { lines, stderr } = await analyze([capture, '--utc']);
    expect(stderr).toBe('');
    expect(lines[0]).toBe(`Capture 1  ${capture}`);
    expect(lines).toContain('  host      testhost');
    expect(lines).toContain('  events    4');
    expect(lines).toContain('  4 drops, 2 reasons, 3 drop sites, 4 flows, 3 with a stack');
    const at = lines.indexOf('Top reasons');
    expect(lines.slice(at + 1, at + 5)).toEqual([
      '  reason          code  drops  share',
      '  --------------  ----  -----  -----',
      '  NO_SOCKET          3      3  75.0%',
      '  NETFILTER_DROP    12      1  25.0%',
    ]);
    const sites = lines.indexOf('Top drop sites');
    expect(lines.slice(sites + 3, sites + 6)).toEqual([
      '  tcp_v4_rcv        2  NO_SOCKET',
      '  nft_do_chain      1  NETFILTER_DROP',
      '  tcp_v6_rcv        1  NO_SOCKET',
    ]);
    expect(lines).toContain('  ::1:5555 > ::1:443                 1  NO_SOCKET');
    expect(lines.join('\n')).not.toContain('WARNING');
  });

  it('lists top stacks trimmed to the drop site', async () => {
    const { lines } = await analyze([capture]);
    const at = lines.indexOf('Top stacks');
    expect(lines[at + 1]).toMatch(/^ {2}#1 {2}2 drops {2}\(stack \d+, at tcp_v4_rcv\+0x91\)$/);
    expect(lines.slice(at + 2, at + 5)).toEqual(['\ttcp_v4_rcv+0x91', '\tip_local_deliver+0x44', '\t__netif_receive_skb+0x10']);
  });

  it('--top-stacks sets how many stacks are shown, independently of --top', async () => {
    const stackHeads = (lines: string[]) => lines.filter((l) => /^ {2}#\d+ {2}\d+ drops? {2}\(stack/.test(l));
    const all = stackHeads((await analyze([capture, '--top', '1'])).lines);
    expect(all.length).toBeGreaterThan(1);
    expect(stackHeads((await analyze([capture, '--top-stacks', '1'])).lines)).toEqual(all.slice(0, 1));
    expect((await analyze([capture, '--top-stacks', '0'])).lines).not.toContain('Top stacks');
    await expect(analyze([capture, '--top-stacks', '-1'])).rejects.toThrow('--top-stacks must be a number of stacks, 0 or more');
  });

  it('draws drops over time with one bar per drop bucket', async () => {
    const { lines } = await analyze([capture, '--utc']);
    const at = lines.indexOf('Drops over time');
    expect(lines[at + 1]).toMatch(new RegExp(`^ {2}1 column = 200 ms, ${clock(EVENTS[0]!)} to \\d\\d:\\d\\d:\\d\\d UTC$`));
    const bars = lines[at + 2]?.slice(2 + 25).split('  max')[0] ?? '';
    // drops at +0 s, +1 s, +4 s and +8 s from the first: buckets 0, 5, 20, 40
    expect([...bars].flatMap((ch, i) => (ch === '█' ? [i] : []))).toEqual([0, 5, 20, 40]);
    expect(lines[at + 3]).toMatch(/^ {2}NO_SOCKET +█ +█ +█ +max 1 per 200 ms$/);
  });

  it('filters narrow the summary and say so', async () => {
    const { lines } = await analyze([capture, '--reason', 'NETFILTER_DROP']);
    expect(lines).toContain('  1 drop matching the filters (of 4), 1 reason, 1 drop site, 1 flow, 1 with a stack');
  });

  it('warns about lost events and an unclean stop on stderr, as the other commands do', async () => {
    const { stdout, stderr } = await analyze([lossy]);
    // stderr reaches the terminal when the report is redirected to a file
    expect(stderr.split('\n')).toEqual([
      'warning: 123 events lost (ring buffer full)',
      'warning: the capture did not end cleanly (recorder killed?); read up to its last complete block',
      '',
    ]);
    // said once: not repeated in the report
    expect(stdout).not.toMatch(/events lost|did not end cleanly/);
    const json = await analyze([lossy, '--format', 'json']);
    expect((JSON.parse(json.stdout) as { warnings: string[] }).warnings.some((w) => /LOST/.test(w))).toBe(true);
    expect(json.stderr).toBe(stderr);
  });

  it('other commands print the loader warnings on stderr, keeping stdout data only', async () => {
    const { stdout, stderr } = await analyze(['list', lossy, '--format', 'ndjson']);
    expect(stderr).toMatch(/^warning: .*LOST/m);
    expect(stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as unknown)).toHaveLength(1);
  });

  it('--format json: the same numbers as one JSON object', async () => {
    const { stdout } = await analyze([capture, '--format', 'json']);
    const data = JSON.parse(stdout) as Record<string, any>;
    expect(data.totals).toEqual({ drops: 4, all_drops: 4, reasons: 2, sites: 3, flows: 4, with_stack: 3 });
    expect(data.top_reasons.map((r: any) => [r.reason, r.drops])).toEqual([['NO_SOCKET', 3], ['NETFILTER_DROP', 1]]);
    expect(data.captures[0].host).toBe('testhost');
    expect(data.warnings).toEqual([]);
    expect(data.timeline.counts.reduce((a: number, b: number) => a + b, 0)).toBe(4);
  });

  it('lists the reasons of a flow in a stable (sorted) order', async () => {
    const { lines } = await analyze([mixed]);
    expect(lines).toContain('  10.1.1.1:7 > 10.1.1.2:8      3  NETFILTER_DROP,NO_SOCKET,TCP_FLAGS');
  });

  it('without files, names the subcommands', async () => {
    await expect(analyze([])).rejects.toThrow(/name the capture files to summarize .* list, query, info, schema/);
  });

  it('refuses formats a summary cannot be (CSV)', async () => {
    await expect(analyze([capture, '--format', 'csv'])).rejects.toThrow(/Invalid values/);
  });

  it('several captures: both listed, --host picks the recording host', async () => {
    const both = await analyze([capture, web2]);
    expect(both.lines).toContain('Capture 2  ' + web2);
    expect(both.lines).toContain('  5 drops, 2 reasons, 3 drop sites, 5 flows, 3 with a stack');
    const only = await analyze([capture, web2, '--host', 'web2']);
    expect(only.lines).toContain('  1 drop matching the filters (of 5), 1 reason, 1 drop site, 1 flow, 0 with a stack');
  });

  it('colour only on a terminal, and never with NO_COLOR', async () => {
    expect((await analyze([lossy], { tty: true })).stdout).toContain('\u001b[');
    expect((await analyze([lossy], { tty: true, env: { NO_COLOR: '1' } })).stdout).not.toContain('\u001b[');
    expect((await analyze([lossy], { tty: false })).stdout).not.toContain('\u001b[');
  });
});

describe('analyze query', () => {
  it('runs read-only SQL and prints a table with capture strings sanitized', async () => {
    const { lines } = await analyze(['query', capture, 'SELECT pid, comm FROM drops WHERE pid > 0']);
    // the task named itself with an escape sequence: it must not reach the terminal
    expect(lines).toEqual([' pid  comm', '----  ----', '1234  curl', '']);
  });

  it('prints CSV and JSON', async () => {
    const csv = await analyze(['query', capture, 'SELECT reason, count(*) AS n FROM drops GROUP BY 1 ORDER BY 1', '--format', 'csv']);
    expect(csv.stdout).toBe('reason,n\r\nNETFILTER_DROP,1\r\nNO_SOCKET,3\r\n');
    const json = await analyze(['query', capture, 'SELECT time_ns FROM drops ORDER BY time_ns LIMIT 1', '--format', 'json']);
    expect(JSON.parse(json.stdout)).toEqual([{ time_ns: String(EVENTS[0]!.ts_ns! + CLOCK_OFFSET_NS) }]);
  });

  it('queries several captures in one database', async () => {
    const { stdout } = await analyze(['query', capture, web2, 'SELECT host, count(*) AS n FROM drops GROUP BY host ORDER BY host', '--format', 'ndjson']);
    expect(stdout).toBe('{"host":"testhost","n":4}\n{"host":"web2","n":1}\n');
  });

  it('refuses writes, and needs a file before the SQL', async () => {
    await expect(analyze(['query', capture, 'DELETE FROM captures'])).rejects.toMatchObject({ code: 'QUERY_REFUSED' });
    await expect(analyze(['query', 'SELECT 1'])).rejects.toThrow(UsageError);
  });
});

describe('analyze info', () => {
  it('shows the capture, its header and its stats', async () => {
    const { lines } = await analyze(['info', capture]);
    expect(lines[0]).toBe('Capture 1');
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}host +testhost$/));
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}kernel_release +6\.18\.0-test$/));
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}recorder_version +0\.1\.0-test$/));
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}lost_events +data_loss +0 /));
  });

  it('--format ndjson: one object per capture', async () => {
    const { lines } = await analyze(['info', capture, web2, '--format', 'ndjson']);
    const records = lines.filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, any>);
    expect(records.map((r) => r.host)).toEqual(['testhost', 'web2']);
    expect(records[0]?.meta.machine).toBe('x86_64');
    expect(records[0]?.stats.find((s: any) => s.name === 'events').value).toBe(4);
  });
});

describe('analyze schema', () => {
  it('documents every column of the drops view', async () => {
    const { lines } = await analyze(['schema', 'drops']);
    expect(lines[0]).toMatch(/^drops \(view\): /);
    for (const column of ['time_ns', 'saddr', 'reason', 'location', 'stack_id']) {
      expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^ {2}${column} +(INTEGER|TEXT) +\\S`)));
    }
  });
  it('hides internal tables unless asked, and names the choices for an unknown one', async () => {
    const json = JSON.parse((await analyze(['schema', '--format', 'json'])).stdout) as Array<{ name: string }>;
    expect(json.map((r) => r.name)).toContain('stack_frames');
    expect(json.some((r) => r.name.startsWith('_'))).toBe(false);
    const all = JSON.parse((await analyze(['schema', '--internal', '--format', 'json'])).stdout) as Array<{ name: string }>;
    expect(all.some((r) => r.name.startsWith('_'))).toBe(true);
    await expect(analyze(['schema', 'nope'])).rejects.toThrow(/no table or view named "nope"; try one of: drops/);
  });
});

describe('help', () => {
  it('every command has examples', async () => {
    for (const cmd of [[], ['list'], ['query'], ['info'], ['schema']]) {
      const text = await help(cmd);
      expect(text).toContain('Examples:');
    }
    expect(await help([])).toContain('Exit status: 0 ok');
  });
});

describe('--db', () => {
  it('keeps the database and gives the same answers when reusing it', async () => {
    const db = tmp.file('drops.sqlite');
    const first = await analyze(['list', capture, '--db', db, '--utc']);
    const second = await analyze(['list', capture, '--db', db, '--utc']);
    expect(second.stdout).toBe(first.stdout);
    expect(first.lines[1]).toBe(formatDropLine({ ...{ pid: 0, family: 4, saddr: '127.0.0.1', sport: 40000, daddr: '127.0.0.1', dport: 9, state: 'NONE', tcp_flags: 'SYN', reason: 'NO_SOCKET', reason_code: 3 }, time_ns: EVENTS[0]!.ts_ns! + CLOCK_OFFSET_NS }, { time: 'utc' }));
  });
});

describe('time of day with --utc', () => {
  // A zone far from UTC, so reading 02:13:22 as local time misses every drop.
  async function inNewYork<T>(run: () => Promise<T>): Promise<T> {
    const saved = process.env.TZ;
    process.env.TZ = 'America/New_York';
    try {
      return await run();
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  }
  const drops = (lines: string[]) => lines.filter((l) => / \(\d+\)$/.test(l)).length;

  it('--since/--until read a time of day in the zone list prints (UTC with --utc)', async () => {
    await inNewYork(async () => {
      const shown = (await analyze(['list', capture, '--utc'])).lines[2]!.slice(0, 8);
      expect(shown).toBe(clock(EVENTS[1]!));
      expect(drops((await analyze(['list', capture, '--utc', '--since', shown])).lines)).toBe(3);
      expect(drops((await analyze(['list', capture, '--utc', '--until', shown])).lines)).toBe(1);
      const local = (await analyze(['list', capture])).lines[2]!.slice(0, 8);
      expect(drops((await analyze(['list', capture, '--since', local])).lines)).toBe(3);
      expect((await analyze([capture, '--utc', '--since', shown])).lines).toContain('  3 drops matching the filters (of 4), 2 reasons, 3 drop sites, 3 flows, 2 with a stack');
    });
  });
});

describe('bad flags and values', () => {
  const drops = (lines: string[]) => lines.filter((l) => / \(\d+\)$/.test(l)).length;

  it('takes a negative offset without = (--since -2s)', async () => {
    expect(drops((await analyze(['list', capture, '--since', '-2s'])).lines)).toBe(1);
    expect(drops((await analyze(['list', capture, '--until', '-2s'])).lines)).toBe(3);
  });

  it('a filter flag without a value is a usage error, not "no filter"', async () => {
    await expect(analyze(['list', capture, '--host'])).rejects.toThrow(/^--host needs a value: an IP address or the recording host's name/);
    await expect(analyze([capture, '--reason'])).rejects.toThrow(/^--reason needs a value/);
    await expect(analyze(['list', capture, '--since'])).rejects.toThrow(/since.*see 'dropcap analyze list --help'/);
  });

  it('refuses an address-looking --host that is not an IP, and a reason no capture knows', async () => {
    await expect(analyze(['list', capture, '--host', '300.1.1.1'])).rejects.toThrow(/^--host "300.1.1.1" is not a valid IP address/);
    await expect(analyze(['list', capture, '--host', '10.0.0.1:80'])).rejects.toThrow(/not a valid IP address.*--port/);
    await expect(analyze(['list', capture, '--reason', 'bogus'])).rejects.toThrow(/^--reason "BOGUS" is not a drop reason .*SELECT DISTINCT name FROM reasons/);
    await expect(analyze([capture, '--reason', 'no_socket,bogus'])).rejects.toMatchObject({ code: 'EUSAGE' });
    // known names, codes, NO_REASON and UNKNOWN(n) are fine, even when nothing matches
    expect(drops((await analyze(['list', capture, '--reason', 'NO_REASON,UNKNOWN(99),TCP_FLAGS,77'])).lines)).toBe(0);
  });

  it("an invalid --format names the subcommand's help, in one line", async () => {
    for (const [argv, help] of [
      [['list', capture, '--format', 'xml'], 'dropcap analyze list --help'],
      [[capture, '--format', 'csv'], 'dropcap analyze --help'],
      [['info', capture, '--format', 'csv'], 'dropcap analyze info --help'],
    ] as const) {
      const err = await analyze([...argv]).then(() => null, (e: Error) => e);
      expect(err).toBeInstanceOf(UsageError);
      expect(err!.message).toMatch(/^Invalid values: Argument: format, Given: /);
      expect(err!.message).not.toContain('\n');
      expect(err!.message.endsWith(`; see '${help}'`)).toBe(true);
    }
  });

  it('--db without a path is a usage error; an unusable path is named with a fix', async () => {
    await expect(analyze(['list', capture, '--db'])).rejects.toThrow(/db.*see 'dropcap analyze list --help'/);
    await expect(analyze(['list', capture, '--db', ''])).rejects.toThrow(/^--db needs a file path/);
    await expect(analyze(['query', capture, 'SELECT 1', '--db', ''])).rejects.toThrow(/^--db needs a file path/);
    await expect(analyze(['list', capture, '--db', tmp.dir])).rejects.toThrow(/^--db .* is a directory; give a file path/);
    await expect(analyze(['list', capture, '--db', '/nonexistent-dropcap-dir/x.db'])).rejects.toThrow(
      /^cannot create the --db database \/nonexistent-dropcap-dir\/x\.db: directory \/nonexistent-dropcap-dir does not exist; create it/,
    );
  });
});

describe('a capture given twice', () => {
  it('is read once, with a warning naming both paths', async () => {
    const copy = tmp.file('copy-of-drops.dcap');
    copyFileSync(capture, copy);
    const sameFile = capture.replace(/drops\.dcap$/, './drops.dcap');
    const { lines, stderr } = await analyze([capture, sameFile, copy]);
    expect(lines).toContain('  4 drops, 2 reasons, 3 drop sites, 4 flows, 3 with a stack');
    expect(lines.filter((l) => l.startsWith('Capture '))).toHaveLength(1);
    expect(stderr.split('\n')).toEqual([
      `warning: ${sameFile} is the same capture as ${capture}: skipped, so its drops are not counted twice`,
      `warning: ${copy} is the same capture as ${capture}: skipped, so its drops are not counted twice`,
      '',
    ]);
    const list = await analyze(['list', capture, sameFile]);
    expect(list.lines.filter((l) => / \(\d+\)$/.test(l))).toHaveLength(4);
    expect(list.stderr).toMatch(/^warning: .* is the same capture as /);
    // another recording of the same host is no duplicate
    expect((await analyze([capture, web2])).stderr).toBe('');
  });
});

