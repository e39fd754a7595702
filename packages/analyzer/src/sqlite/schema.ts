// The one schema source: the DDL, docs/schema.md and `dropcap analyze schema`
// are all generated from SCHEMA. Tables whose name starts with "_" are
// internal (packed for import speed); users query the documented relations.
import { allTcpStates } from '../decode/tcp.js';
import { ADDR_MASK, ADDR_SHIFT, BITS, SITE_SHIFT } from './packing.js';

export type SqlType = 'INTEGER' | 'TEXT' | 'REAL' | 'BLOB';

export interface SchemaColumn {
  name: string;
  type: SqlType;
  doc: string;
  /** column constraint in the DDL, e.g. PRIMARY KEY */
  constraint?: string;
}

export interface SchemaRelation {
  name: string;
  kind: 'table' | 'view';
  doc: string;
  columns: SchemaColumn[];
  internal: boolean;
  /** tables: extra table constraints */
  constraints?: string[];
  withoutRowid?: boolean;
  /** views: the SELECT, producing the columns in order */
  select?: string;
}

/** Bumped whenever the DDL changes: a --db built by another version is rebuilt. */
export const SCHEMA_VERSION = 1;

const c = (name: string, type: SqlType, doc: string, constraint?: string): SchemaColumn =>
  constraint ? { name, type, doc, constraint } : { name, type, doc };

const F = BITS.FLAGS_SHIFT;
const flagBit = (bit: number) => `((d.bits >> ${F + bit}) & 1)`;
// same text as isoFromRealtimeNs() in decode/clock-map.ts
const ISO_TIME = `strftime('%Y-%m-%dT%H:%M:%S', d.time_ns / 1000000000, 'unixepoch') || printf('.%06dZ', (d.time_ns / 1000) % 1000000)`;
// same text as Symbolizer.format()
const FRAME_TEXT = `CASE WHEN sym.name IS NULL THEN printf('0x%016x', f.address)
    ELSE sym.name || printf('+0x%x', f.offset) || CASE WHEN sym.module IS NULL THEN '' ELSE ' [' || sym.module || ']' END END`;

// Lookups are correlated scalar subqueries, not joins: SQLite computes a
// view column only when the query uses it, while it never drops a LEFT JOIN
// from an aggregate query. So `SELECT reason, count(*) FROM drops GROUP BY 1`
// pays one lookup per row instead of nine.
const sub = (col: string, table: string, where: string) => `(SELECT ${col} FROM ${table} WHERE ${where})`;
const task = (col: string) => sub(col, '_task', 'task_id = d.task_id');
const dev = (col: string) => sub(col, '_dev', 'dev_id = d.dev_id');
const site = (col: string) => sub(col, '_site', `site_id = d.site_reason >> ${SITE_SHIFT}`);
const STATE_TEXT = `CASE (d.bits >> ${BITS.STATE_SHIFT}) & 255 ${allTcpStates()
  .map(([n, name]) => `WHEN ${n} THEN '${name}'`)
  .join(' ')} ELSE 'UNKNOWN(' || ((d.bits >> ${BITS.STATE_SHIFT}) & 255) || ')' END`;
// same text as tcpFlagsString(): names joined by | in bit order
const FLAGS_TEXT = `substr(${['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR']
  .map((name, bit) => `iif(d.bits & ${1 << bit}, '|${name}', '')`)
  .join(' || ')}, 2)`;

const CAPTURE_ID = `(d.bits >> ${BITS.CAPTURE_SHIFT})`;
const REASON_CODE = `(d.site_reason & 4294967295)`;
const reasonLookup = (col: string) => sub(col, '_reason', `capture_id = ${CAPTURE_ID} AND code = ${REASON_CODE}`);

const DROPS_SELECT = `
SELECT ${CAPTURE_ID}, ${sub('host', 'captures', `capture_id = ${CAPTURE_ID}`)}, d.time_ns, ${ISO_TIME},
  (d.bits >> ${BITS.CPU_SHIFT}) & ${BITS.CPU_MASK}, ${task('pid')}, ${task('tid')}, ${task('comm')},
  (d.bits >> ${BITS.FAMILY_SHIFT}) & 15,
  ${sub('text', '_addr', `addr_id = d.addrs >> ${ADDR_SHIFT}`)}, d.ports >> 16,
  ${sub('text', '_addr', `addr_id = d.addrs & ${ADDR_MASK}`)}, d.ports & 65535,
  ${STATE_TEXT},
  ${FLAGS_TEXT},
  CASE WHEN ${flagBit(4)} THEN 'NO_REASON' ELSE COALESCE(${reasonLookup('name')}, 'UNKNOWN(' || ${REASON_CODE} || ')') END,
  ${REASON_CODE},
  COALESCE(${reasonLookup('subsystem')}, 'CORE'),
  ${site('name')}, ${site('address')}, ${dev('netns')}, ${dev('ifindex')}, ${dev('ifname')}, d.len,
  d.seq_win >> 16, d.ack_seq, d.seq_win & 65535, ${dev('mark')},
  CASE (d.bits >> ${BITS.SK_SOURCE_SHIFT}) & 3 WHEN 1 THEN 'skb' WHEN 2 THEN 'rx_sk' ELSE 'none' END,
  d.stack_id,
  CASE WHEN d.stack_id IS NOT NULL OR ${flagBit(0)} THEN 'taken' WHEN ${flagBit(1)} THEN 'budget'
       WHEN ${flagBit(2)} THEN 'error' ELSE 'none' END,
  ${flagBit(5)}
FROM _drop d`;

export const SCHEMA: readonly SchemaRelation[] = [
  {
    name: 'drops',
    kind: 'view',
    internal: false,
    doc: 'One row per TCP drop, in capture order (ring-buffer order: nearly, not strictly, time ordered across CPUs).',
    columns: [
      c('capture_id', 'INTEGER', 'Capture the drop comes from (captures.capture_id).'),
      c('host', 'TEXT', 'Hostname of the recording machine.'),
      c('time_ns', 'INTEGER', 'Wall-clock time of the drop, nanoseconds since the Unix epoch (kernel CLOCK_MONOTONIC converted with the capture\'s clock pairs).'),
      c('time', 'TEXT', 'time_ns as ISO 8601 UTC with microseconds, e.g. 2026-11-22T20:24:39.123456Z.'),
      c('cpu', 'INTEGER', 'CPU the drop happened on.'),
      c('pid', 'INTEGER', 'Process (tgid) running at drop time; 0 in softirq on an idle CPU.'),
      c('tid', 'INTEGER', 'Thread id running at drop time.'),
      c('comm', 'TEXT', 'Task name running at drop time (not necessarily the socket owner).'),
      c('family', 'INTEGER', 'IP version: 4 or 6.'),
      c('saddr', 'TEXT', 'Source address: dotted quad, or compressed IPv6 (RFC 5952).'),
      c('sport', 'INTEGER', 'Source port.'),
      c('daddr', 'TEXT', 'Destination address.'),
      c('dport', 'INTEGER', 'Destination port.'),
      c('state', 'TEXT', 'TCP state of the socket (ESTABLISHED, SYN_SENT, ..., NEW_SYN_RECV); NONE when the drop had no socket.'),
      c('tcp_flags', 'TEXT', 'TCP flags of the segment, e.g. SYN|ACK (order FIN SYN RST PSH ACK URG ECE CWR); empty when none.'),
      c('reason', 'TEXT', 'Drop reason, short name from the recording kernel\'s BTF (NO_SOCKET, NETFILTER_DROP, ...); UNKNOWN(n) when the capture does not name it; NO_REASON on kernels before 5.17.'),
      c('reason_code', 'INTEGER', 'Raw drop-reason value in the recording kernel\'s numbering (subsystem reasons are subsystem << 16 | code).'),
      c('subsystem', 'TEXT', 'Drop-reason subsystem (reason_code >> 16): CORE, OPENVSWITCH, MAC80211_UNUSABLE, ...'),
      c('location', 'TEXT', 'Drop site reported by the tracepoint, symbolized: function+0xoffset.'),
      c('location_addr', 'INTEGER', 'Kernel address of the drop site, as a signed 64-bit integer (printf(\'%x\', location_addr) shows the usual hex).'),
      c('netns', 'INTEGER', 'Network namespace inode number.'),
      c('ifindex', 'INTEGER', 'Input interface index; 0 when unknown.'),
      c('ifname', 'TEXT', 'Interface name from the capture\'s INTERFACES snapshot; NULL when not listed.'),
      c('len', 'INTEGER', 'skb->len: bytes of the packet.'),
      c('seq', 'INTEGER', 'TCP sequence number.'),
      c('ack_seq', 'INTEGER', 'TCP acknowledgment number.'),
      c('window', 'INTEGER', 'TCP window field (unscaled).'),
      c('mark', 'INTEGER', 'skb->mark (firewall mark).'),
      c('sk_source', 'TEXT', 'Where the socket came from: none, skb (skb->sk) or rx_sk (the tracepoint\'s rx_sk).'),
      c('stack_id', 'INTEGER', 'Kernel stack of the drop: the leaf stack_callsite id (see stack_frames); NULL without a stack.'),
      c('stack_status', 'TEXT', 'taken (has a stack), budget (skipped: per-CPU stack budget spent), error (bpf_get_stack failed) or none (stacks off).'),
      c('new_site', 'INTEGER', '1 for the first drop of its (location, reason) in the recording, else 0.'),
    ],
    select: DROPS_SELECT,
  },
  {
    name: 'stack_frames',
    kind: 'view',
    internal: false,
    doc: 'The symbolized frames of each stack, e.g. SELECT frame FROM stack_frames WHERE stack_id = ? ORDER BY depth.',
    columns: [
      c('stack_id', 'INTEGER', 'Leaf callsite id, as in drops.stack_id.'),
      c('depth', 'INTEGER', '0 for the innermost frame (the leaf), growing towards the outermost caller.'),
      c('frame', 'TEXT', 'function+0xoffset, with " [module]" for module and BPF code; 0x<address> when not in the capture\'s kallsyms.'),
      c('function', 'TEXT', 'Function name; NULL when unknown.'),
      c('module', 'TEXT', 'Module name ("bpf" for BPF programs); NULL for the core kernel.'),
      c('address', 'INTEGER', 'Return address, signed 64-bit.'),
    ],
    select: `
SELECT l.stack_id, l.depth, ${FRAME_TEXT}, sym.name, sym.module, f.address
FROM _stack_frame_list l
JOIN stack_frame f ON f.id = l.frame_id
LEFT JOIN stack_symbol sym ON sym.id = f.symbol_id`,
  },
  {
    name: 'stack_symbol',
    kind: 'table',
    internal: false,
    doc: 'Kernel symbols seen in stacks (Perfetto-style, shared by all captures).',
    columns: [
      c('id', 'INTEGER', 'Symbol id.', 'PRIMARY KEY'),
      c('name', 'TEXT', 'Function name.'),
      c('module', 'TEXT', 'Module ("bpf" for BPF programs); NULL for the core kernel.'),
    ],
  },
  {
    name: 'stack_frame',
    kind: 'table',
    internal: false,
    doc: 'Distinct return addresses of a capture, symbolized with that capture\'s kallsyms.',
    columns: [
      c('id', 'INTEGER', 'Frame id.', 'PRIMARY KEY'),
      c('capture_id', 'INTEGER', 'Capture whose kallsyms symbolized it.'),
      c('address', 'INTEGER', 'Return address, signed 64-bit.'),
      c('symbol_id', 'INTEGER', 'stack_symbol.id; NULL when the address is in no known symbol.'),
      c('offset', 'INTEGER', 'Bytes from the symbol start; NULL when unknown.'),
    ],
  },
  {
    name: 'stack_callsite',
    kind: 'table',
    internal: false,
    doc: 'Stacks as a prefix tree: a callsite is a frame called from its parent callsite. Roots are the outermost frames; drops.stack_id is a leaf.',
    columns: [
      c('id', 'INTEGER', 'Callsite id.', 'PRIMARY KEY'),
      c('parent_id', 'INTEGER', 'Calling callsite; NULL at the root (outermost frame).'),
      c('depth', 'INTEGER', 'Distance from the root: 0 for the outermost frame.'),
      c('frame_id', 'INTEGER', 'stack_frame.id'),
    ],
  },
  {
    name: 'captures',
    kind: 'table',
    internal: false,
    doc: 'One row per capture file loaded.',
    columns: [
      c('capture_id', 'INTEGER', 'Capture id, 1.. in the order the files were given.', 'PRIMARY KEY'),
      c('path', 'TEXT', 'Capture file path as given.'),
      c('host', 'TEXT', 'Hostname of the recording machine.'),
      c('kernel_release', 'TEXT', 'uname -r of the recording machine.'),
      c('attach', 'TEXT', 'How the recorder attached: tp_btf, raw_tp, tracepoint or kprobe.'),
      c('start_ns', 'INTEGER', 'Recording start, ns since the epoch.'),
      c('end_ns', 'INTEGER', 'Recording end (END block, else the last clock reading or event), ns since the epoch.'),
      c('start_time', 'TEXT', 'start_ns as ISO 8601 UTC.'),
      c('end_time', 'TEXT', 'end_ns as ISO 8601 UTC.'),
      c('duration_s', 'REAL', 'end_ns - start_ns in seconds.'),
      c('events', 'INTEGER', 'Drops imported from this capture.'),
      c('lost_events', 'INTEGER', 'Drops the recorder counted but could not record (ringbuf_lost + events_dropped).'),
      c('clean_stop', 'INTEGER', '1 when the file ends with an END block, 0 when the recording was cut short.'),
      c('file_size', 'INTEGER', 'Size of the file in bytes when imported.'),
      c('file_mtime_ns', 'INTEGER', 'Modification time of the file when imported (for --db reuse).'),
      c('format_version', 'TEXT', 'Capture format version, major.minor.'),
    ],
  },
  {
    name: 'meta',
    kind: 'table',
    internal: false,
    doc: 'The capture\'s HEADER block, one row per key (recorder_version, hostname, kernel_release, kernel_version, machine, boot_id, cmdline, attach, attach_detail, filters, stack_policy, ring_bytes, nr_cpus, ...).',
    columns: [
      c('capture_id', 'INTEGER', 'Capture id.'),
      c('key', 'TEXT', 'Header key.'),
      c('value', 'TEXT', 'Strings as is; numbers, lists and maps as JSON.'),
    ],
  },
  {
    name: 'stats',
    kind: 'table',
    internal: false,
    doc: 'Counters about each capture and its import (Perfetto-style). Check data_loss rows before trusting totals.',
    columns: [
      c('capture_id', 'INTEGER', 'Capture id.'),
      c('name', 'TEXT', 'Counter: events, lost_events, ringbuf_lost, events_dropped, batches_dropped, seen, filtered, not_tcp, bad_header, stackless_events, stack_budget, stack_error, missing_stacks, truncated_bytes, unknown_blocks, unclean_stop, stats_blocks, no_clocks.'),
      c('severity', 'TEXT', 'info, data_loss (drops or data are missing) or error (something is wrong with the capture).'),
      c('value', 'INTEGER', 'Counter value.'),
      c('description', 'TEXT', 'What the counter means.'),
    ],
  },
  {
    name: 'reasons',
    kind: 'table',
    internal: false,
    doc: 'The drop-reason enums of the recording kernel (from its BTF), as stored in the capture.',
    columns: [
      c('capture_id', 'INTEGER', 'Capture id.'),
      c('code', 'INTEGER', 'Reason value (u32; subsystem reasons carry subsystem << 16).'),
      c('name', 'TEXT', 'Short name, without SKB_DROP_REASON_.'),
      c('enum_name', 'TEXT', 'Enumerator as the kernel spells it.'),
      c('enum_type', 'TEXT', 'The C enum it belongs to (skb_drop_reason, or a subsystem\'s enum).'),
    ],
  },
  {
    name: 'interfaces',
    kind: 'table',
    internal: false,
    doc: 'Network interfaces of the recording host (INTERFACES blocks).',
    columns: [
      c('capture_id', 'INTEGER', 'Capture id.'),
      c('netns', 'INTEGER', 'Network namespace inode.'),
      c('ifindex', 'INTEGER', 'Interface index.'),
      c('name', 'TEXT', 'Interface name.'),
    ],
  },
  // ---- internal tables: packed for import speed, read through the views ----
  {
    name: '_drop',
    kind: 'table',
    internal: true,
    doc: 'Raw drops, small fields packed (sqlite/packing.ts); read the drops view instead.',
    columns: [
      c('time_ns', 'INTEGER', 'Wall-clock ns.'),
      c('task_id', 'INTEGER', '_task.task_id'),
      c('addrs', 'INTEGER', `saddr _addr id << ${ADDR_SHIFT} | daddr _addr id`),
      c('ports', 'INTEGER', 'sport << 16 | dport'),
      c('bits', 'INTEGER', `tcp_flags | state << 8 | sk_source << 16 | family << 18 | event flags << 22 | cpu << 30 | capture_id << ${BITS.CAPTURE_SHIFT}`),
      c('site_reason', 'INTEGER', `_site id << ${SITE_SHIFT} | raw reason value`),
      c('dev_id', 'INTEGER', '_dev.dev_id'),
      c('len', 'INTEGER', 'skb->len'),
      c('seq_win', 'INTEGER', 'seq << 16 | window'),
      c('ack_seq', 'INTEGER', 'ack_seq'),
      c('stack_id', 'INTEGER', 'Leaf stack_callsite id or NULL.'),
    ],
  },
  {
    name: '_task',
    kind: 'table',
    internal: true,
    doc: 'Distinct (pid, tid, comm) per capture.',
    columns: [
      c('task_id', 'INTEGER', 'Id.', 'PRIMARY KEY'),
      c('capture_id', 'INTEGER', 'Capture id.'),
      c('pid', 'INTEGER', 'tgid'),
      c('tid', 'INTEGER', 'thread id'),
      c('comm', 'TEXT', 'task name'),
    ],
  },
  {
    name: '_addr',
    kind: 'table',
    internal: true,
    doc: 'Distinct address texts.',
    columns: [c('addr_id', 'INTEGER', 'Id.', 'PRIMARY KEY'), c('text', 'TEXT', 'Formatted address.')],
  },
  {
    name: '_site',
    kind: 'table',
    internal: true,
    doc: 'Distinct drop sites per capture, symbolized.',
    columns: [
      c('site_id', 'INTEGER', 'Id.', 'PRIMARY KEY'),
      c('capture_id', 'INTEGER', 'Capture id.'),
      c('address', 'INTEGER', 'Signed 64-bit address.'),
      c('name', 'TEXT', 'function+0xoffset'),
    ],
  },
  {
    name: '_dev',
    kind: 'table',
    internal: true,
    doc: 'Distinct (netns, ifindex, mark) per capture with the interface name: the packet\'s surroundings.',
    columns: [
      c('dev_id', 'INTEGER', 'Id.', 'PRIMARY KEY'),
      c('capture_id', 'INTEGER', 'Capture id.'),
      c('netns', 'INTEGER', 'netns inode'),
      c('ifindex', 'INTEGER', 'ifindex'),
      c('ifname', 'TEXT', 'name or NULL'),
      c('mark', 'INTEGER', 'skb->mark'),
    ],
  },
  {
    name: '_reason',
    kind: 'table',
    internal: true,
    doc: 'Resolved name of each reason value seen, per capture.',
    columns: [
      c('capture_id', 'INTEGER', 'Capture id.'),
      c('code', 'INTEGER', 'Raw value.'),
      c('name', 'TEXT', 'Short name or UNKNOWN(n).'),
      c('subsystem', 'TEXT', 'Subsystem name.'),
    ],
    constraints: ['PRIMARY KEY (capture_id, code)'],
    withoutRowid: true,
  },
  {
    name: '_stack_frame_list',
    kind: 'table',
    internal: true,
    doc: 'Frames of each leaf callsite in order, precomputed at import so stack_frames needs no recursive query.',
    columns: [
      c('stack_id', 'INTEGER', 'Leaf callsite id.'),
      c('depth', 'INTEGER', '0 = innermost.'),
      c('frame_id', 'INTEGER', 'stack_frame.id'),
    ],
    constraints: ['PRIMARY KEY (stack_id, depth)'],
    withoutRowid: true,
  },
  {
    name: '_dropcap_db',
    kind: 'table',
    internal: true,
    doc: 'Marks a database built by dropcap: schema_version, complete, warnings (JSON).',
    columns: [c('key', 'TEXT', 'Key.', 'PRIMARY KEY'), c('value', 'TEXT', 'Value.')],
  },
];

export function relation(name: string): SchemaRelation {
  const r = SCHEMA.find((x) => x.name === name);
  if (!r) throw new Error(`no relation ${name} in SCHEMA`);
  return r;
}

/** CREATE statements for every table, then every view. */
export function schemaDdl(): string {
  const tables = SCHEMA.filter((r) => r.kind === 'table').map((r) => {
    const cols = r.columns.map((col) => `  ${col.name} ${col.type}${col.constraint ? ' ' + col.constraint : ''}`);
    const body = [...cols, ...(r.constraints ?? []).map((x) => `  ${x}`)].join(',\n');
    return `CREATE TABLE ${r.name} (\n${body}\n)${r.withoutRowid ? ' WITHOUT ROWID' : ''};`;
  });
  const views = SCHEMA.filter((r) => r.kind === 'view').map(
    (r) => `CREATE VIEW ${r.name} (${r.columns.map((col) => col.name).join(', ')}) AS${r.select};`,
  );
  return [...tables, ...views].join('\n\n') + '\n';
}

/** docs/schema.md */
export function schemaMarkdown(): string {
  const out: string[] = [
    '# dropcap analyzer SQL schema',
    '',
    '<!-- Generated from packages/analyzer/src/sqlite/schema.ts by `npm run docs:schema`; do not edit. -->',
    '',
    '`dropcap analyze query FILE... "SQL"` runs read-only SQL over these relations;',
    '`dropcap analyze --db FILE` keeps the database for reuse. Several captures load',
    'into one database, told apart by `capture_id` (and `host`). Tables whose name',
    'starts with `_` are internal and may change between versions.',
    '',
  ];
  for (const r of SCHEMA.filter((x) => !x.internal)) {
    out.push(`## ${r.name} (${r.kind})`, '', r.doc, '', '| column | type | meaning |', '|---|---|---|');
    for (const col of r.columns) out.push(`| ${col.name} | ${col.type} | ${col.doc.replace(/\|/g, '\\|')} |`);
    out.push('');
  }
  return out.join('\n');
}

/** Plain text for `dropcap analyze schema`. */
export function schemaText(opts: { internal?: boolean } = {}): string {
  const out: string[] = [];
  for (const r of SCHEMA.filter((x) => opts.internal || !x.internal)) {
    out.push(`${r.name} (${r.kind}): ${r.doc}`);
    const w = Math.max(...r.columns.map((col) => col.name.length));
    for (const col of r.columns) out.push(`  ${col.name.padEnd(w)}  ${col.type.padEnd(7)}  ${col.doc}`);
    out.push('');
  }
  return out.join('\n');
}
