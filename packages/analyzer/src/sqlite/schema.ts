// The one schema source: the DDL, docs/schema.md and `dropcap analyze schema`
// are all generated from SCHEMA. Tables whose name starts with "_" are
// internal (interned and packed for import speed, plus the exact counts kept
// at import for the summary); users query the documented relations.
import { allTcpStates } from '../decode/tcp.js';
import { LEN_BITS, LEN_MASK } from './packing.js';

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
export const SCHEMA_VERSION = 3;

const c = (name: string, type: SqlType, doc: string, constraint?: string): SchemaColumn =>
  constraint ? { name, type, doc, constraint } : { name, type, doc };

// same text as Symbolizer.format()
const FRAME_TEXT = `CASE WHEN sym.name IS NULL THEN printf('0x%016x', f.address)
    ELSE sym.name || printf('+0x%x', f.offset) || CASE WHEN sym.module IS NULL THEN '' ELSE ' [' || sym.module || ']' END END`;

// A drop joins its _group row (one primary-key lookup: the group carries
// the columns of its _who and _what); names are correlated scalar
// subqueries, not joins: SQLite computes a view column only when the query
// uses it, so `SELECT reason, count(*) FROM drops GROUP BY 1` pays for the
// reason lookup and not for the eight others.
const sub = (col: string, table: string, where: string) => `(SELECT ${col} FROM ${table} WHERE ${where})`;
const flagBit = (g: string, bit: number) => `((${g}.flags >> ${bit}) & 1)`;
const reasonLookup = (g: string, col: string) => sub(col, '_reason', `capture_id = ${g}.capture_id AND code = ${g}.reason_code`);
/** The drops view's reason text, from a row `g` with capture_id, reason_code and flags (_group or _what). */
export const reasonNameSql = (g: string) =>
  `CASE WHEN ${flagBit(g, 4)} THEN 'NO_REASON' ELSE COALESCE(${reasonLookup(g, 'name')}, 'UNKNOWN(' || ${g}.reason_code || ')') END`;

/** The columns of the drops view that a drop shares with its group, from a _group row `g`, in order. */
function groupColumns(g: string): Record<string, string> {
  const dev = (col: string) => sub(col, '_dev', `dev_id = ${g}.dev_id`);
  const site = (col: string) => sub(col, '_site', `site_id = ${g}.site_id`);
  return {
    capture_id: `${g}.capture_id`,
    host: sub('host', 'captures', `capture_id = ${g}.capture_id`),
    family: `${g}.family`,
    saddr: sub('text', '_addr', `addr_id = ${g}.saddr_id`),
    sport: `${g}.sport`,
    daddr: sub('text', '_addr', `addr_id = ${g}.daddr_id`),
    dport: `${g}.dport`,
    state: `CASE ${g}.state ${allTcpStates()
      .map(([n, name]) => `WHEN ${n} THEN '${name}'`)
      .join(' ')} ELSE 'UNKNOWN(' || ${g}.state || ')' END`,
    // same text as tcpFlagsString(): names joined by | in bit order
    tcp_flags: `substr(${['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR']
      .map((name, bit) => `iif(${g}.tcp_flags & ${1 << bit}, '|${name}', '')`)
      .join(' || ')}, 2)`,
    reason: reasonNameSql(g),
    reason_code: `${g}.reason_code`,
    subsystem: `COALESCE(${reasonLookup(g, 'subsystem')}, 'CORE')`,
    location: site('name'),
    location_addr: site('address'),
    netns: dev('netns'),
    ifindex: dev('ifindex'),
    ifname: dev('ifname'),
    mark: dev('mark'),
    sk_source: `CASE ${g}.sk_source WHEN 1 THEN 'skb' WHEN 2 THEN 'rx_sk' ELSE 'none' END`,
    stack_id: `${g}.stack_id`,
    stack_status: `CASE WHEN ${g}.stack_id IS NOT NULL OR ${flagBit(g, 0)} THEN 'taken' WHEN ${flagBit(g, 1)} THEN 'budget'
       WHEN ${flagBit(g, 2)} THEN 'error' ELSE 'none' END`,
    new_site: flagBit(g, 5),
  };
}

const G = groupColumns('g');
const TIME_NS = '(g.time_base + d.t)';
// same text as isoFromRealtimeNs() in decode/clock-map.ts
const ISO_TIME = `strftime('%Y-%m-%dT%H:%M:%S', ${TIME_NS} / 1000000000, 'unixepoch') || printf('.%06dZ', (${TIME_NS} / 1000) % 1000000)`;
const task = (col: string) => sub(col, '_task', 'task_id = d.task_id');
/** Per drop: the drops view's columns in order. */
const DROP_EXPRESSIONS = [
  G.capture_id, G.host, TIME_NS, ISO_TIME, task('cpu'), task('pid'), task('tid'), task('comm'),
  G.family, G.saddr, G.sport, G.daddr, G.dport, G.state, G.tcp_flags, G.reason, G.reason_code, G.subsystem,
  G.location, G.location_addr, G.netns, G.ifindex, G.ifname,
  `CASE WHEN d.ack_len >= 0 THEN d.ack_len & ${LEN_MASK} ELSE ${sub('len', '_big_len', 'drop_id = d.rowid')} END`,
  'd.seq_win >> 16',
  `CASE WHEN d.ack_len >= 0 THEN d.ack_len >> ${LEN_BITS} ELSE (-1 - d.ack_len) >> ${LEN_BITS} END`,
  'd.seq_win & 65535',
  G.mark, G.sk_source, G.stack_id, G.stack_status, G.new_site,
];
const DROPS_SELECT = `
SELECT ${DROP_EXPRESSIONS.join(',\n  ')}
FROM _drop d
LEFT JOIN _group g ON g.group_id = d.group_id`;
/** The drops view with each drop's group id: filter by drops columns, then group by an integer. */
const DROPS_WITH_GROUP_SELECT = `
SELECT ${[...DROP_EXPRESSIONS, 'd.group_id'].join(',\n  ')}
FROM _drop d
LEFT JOIN _group g ON g.group_id = d.group_id`;

// The drops view's per-group columns over _group: one row per group with
// its drop count. A filter that uses only these columns selects the same
// drops from it as from the view, in thousands of rows instead of
// millions; one that uses a per-drop column (time_ns, pid, len...) fails to
// prepare against it, and the summary scans the view instead.
const GROUP_TEXT_COLUMNS = new Set(['host', 'saddr', 'daddr', 'state', 'tcp_flags', 'reason', 'subsystem', 'location', 'ifname', 'sk_source', 'stack_status']);
const DROP_GROUPS_SELECT = `
SELECT ${Object.values(G).join(',\n  ')},
  g.group_id, n.drops, g.time_base + n.first_t, g.time_base + n.last_t
FROM _group g JOIN _group_count n ON n.group_id = g.group_id`;

const DROP_VIEW_COLUMNS: SchemaColumn[] = [
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
];

export const SCHEMA: readonly SchemaRelation[] = [
  {
    name: 'drops',
    kind: 'view',
    internal: false,
    doc: 'One row per TCP drop, in capture order (ring-buffer order: nearly, not strictly, time ordered across CPUs).',
    columns: DROP_VIEW_COLUMNS,
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
  // ---- internal tables: interned and packed for import speed, read through the views ----
  {
    name: '_drop',
    kind: 'table',
    internal: true,
    doc: 'Raw drops, one row each, in capture order: only what differs from drop to drop (sqlite/packing.ts); read the drops view instead.',
    columns: [
      c('t', 'INTEGER', 'Wall-clock ns since _what.time_base.'),
      c('group_id', 'INTEGER', '_group.group_id: flow, device, TCP state and flags (_who); capture, site, reason, stack, event flags (_what).'),
      c('task_id', 'INTEGER', '_task.task_id: the task and CPU.'),
      c('seq_win', 'INTEGER', 'seq << 16 | window'),
      c('ack_len', 'INTEGER', `ack_seq << ${LEN_BITS} | len; negative when len is in _big_len`),
    ],
  },
  {
    name: '_who',
    kind: 'table',
    internal: true,
    doc: 'Distinct packet surroundings of drops (flow, TCP state and flags, device), per capture, with their number of drops (exact: drops = COUNT(*) of its _drop rows).',
    columns: [
      c('who_id', 'INTEGER', 'Id.', 'PRIMARY KEY'),
      c('capture_id', 'INTEGER', 'Capture id.'),
      c('flow_id', 'INTEGER', '_flow.flow_id'),
      c('saddr_id', 'INTEGER', '_addr id of saddr'),
      c('sport', 'INTEGER', 'sport'),
      c('daddr_id', 'INTEGER', '_addr id of daddr'),
      c('dport', 'INTEGER', 'dport'),
      c('family', 'INTEGER', 'family'),
      c('state', 'INTEGER', 'TCP state number'),
      c('tcp_flags', 'INTEGER', 'TCP flags byte'),
      c('sk_source', 'INTEGER', 'sk_source number'),
      c('dev_id', 'INTEGER', '_dev.dev_id'),
      c('drops', 'INTEGER', 'Drops with this who_id.'),
    ],
  },
  {
    name: '_what',
    kind: 'table',
    internal: true,
    doc: 'Distinct (site, reason, stack, event flags) of drops, per capture, with their number of drops (exact).',
    columns: [
      c('what_id', 'INTEGER', 'Id.', 'PRIMARY KEY'),
      c('capture_id', 'INTEGER', 'Capture id.'),
      c('time_base', 'INTEGER', 'The capture\'s time base: drops.time_ns = time_base + _drop.t.'),
      c('site_id', 'INTEGER', '_site.site_id'),
      c('reason_code', 'INTEGER', 'Raw reason value.'),
      c('flags', 'INTEGER', 'Event flags byte (docs/capture-format.md).'),
      c('stack_id', 'INTEGER', 'Leaf stack_callsite id or NULL.'),
      c('drops', 'INTEGER', 'Drops with this what_id.'),
    ],
  },
  {
    name: '_flow',
    kind: 'table',
    internal: true,
    doc: 'Distinct (saddr, sport, daddr, dport) over all captures, with their number of drops (exact).',
    columns: [
      c('flow_id', 'INTEGER', 'Id.', 'PRIMARY KEY'),
      c('saddr_id', 'INTEGER', '_addr id'),
      c('sport', 'INTEGER', 'sport'),
      c('daddr_id', 'INTEGER', '_addr id'),
      c('dport', 'INTEGER', 'dport'),
      c('drops', 'INTEGER', 'Drops of this flow.'),
    ],
  },
  {
    name: '_flow_reason',
    kind: 'table',
    internal: true,
    doc: 'Which reasons each flow dropped for (distinct pairs).',
    columns: [
      c('flow_id', 'INTEGER', '_flow.flow_id'),
      c('capture_id', 'INTEGER', 'Capture id.'),
      c('reason_code', 'INTEGER', 'Raw reason value.'),
      c('no_reason', 'INTEGER', '1 when the kernel had no reason argument (shown as NO_REASON).'),
    ],
    constraints: ['PRIMARY KEY (flow_id, capture_id, reason_code, no_reason)'],
    withoutRowid: true,
  },
  {
    name: '_agg_time',
    kind: 'table',
    internal: true,
    doc: 'Drops per reason and fine time bucket (width _agg_capture.bucket_ns), exact, for drops-over-time histograms.',
    columns: [
      c('capture_id', 'INTEGER', 'Capture id.'),
      c('reason_code', 'INTEGER', 'Raw reason value.'),
      c('no_reason', 'INTEGER', '1 for NO_REASON.'),
      c('bucket_start_ns', 'INTEGER', 'Bucket start, ns since the epoch (a multiple of bucket_ns).'),
      c('drops', 'INTEGER', 'Drops in the bucket.'),
    ],
  },
  {
    name: '_agg_capture',
    kind: 'table',
    internal: true,
    doc: 'Per capture: drops, first and last drop time, and the width of its _agg_time buckets (NULL: not kept).',
    columns: [
      c('capture_id', 'INTEGER', 'Capture id.', 'PRIMARY KEY'),
      c('drops', 'INTEGER', 'Drops imported.'),
      c('first_ns', 'INTEGER', 'Earliest drop time_ns; NULL without drops.'),
      c('last_ns', 'INTEGER', 'Latest drop time_ns; NULL without drops.'),
      c('bucket_ns', 'INTEGER', 'Width of the _agg_time buckets (a power of ten ns); NULL when they were not kept.'),
    ],
  },
  {
    name: '_group',
    kind: 'table',
    internal: true,
    doc: 'Distinct (who, what) of drops: all a drop shares with others, with the columns of its _who and _what (so the drops view needs one lookup). Written when the import meets the group; its counts, known only at the end, are in _group_count.',
    columns: [
      c('group_id', 'INTEGER', 'Id.', 'PRIMARY KEY'),
      c('who_id', 'INTEGER', '_who.who_id'),
      c('what_id', 'INTEGER', '_what.what_id'),
      c('capture_id', 'INTEGER', 'Capture id.'),
      c('time_base', 'INTEGER', 'As _what.time_base.'),
      c('saddr_id', 'INTEGER', 'As in _who.'),
      c('sport', 'INTEGER', 'As in _who.'),
      c('daddr_id', 'INTEGER', 'As in _who.'),
      c('dport', 'INTEGER', 'As in _who.'),
      c('family', 'INTEGER', 'As in _who.'),
      c('state', 'INTEGER', 'As in _who.'),
      c('tcp_flags', 'INTEGER', 'As in _who.'),
      c('sk_source', 'INTEGER', 'As in _who.'),
      c('dev_id', 'INTEGER', 'As in _who.'),
      c('site_id', 'INTEGER', 'As in _what.'),
      c('reason_code', 'INTEGER', 'As in _what.'),
      c('flags', 'INTEGER', 'As in _what.'),
      c('stack_id', 'INTEGER', 'As in _what.'),
    ],
  },
  {
    name: '_group_count',
    kind: 'table',
    internal: true,
    doc: 'Exact drops of each _group, with its first and last drop time; filtered summaries read these (through _drop_groups). Apart from _group so that the wide rows need not wait for the end of the import.',
    columns: [
      c('group_id', 'INTEGER', '_group.group_id', 'PRIMARY KEY'),
      c('drops', 'INTEGER', 'Drops of the group.'),
      c('first_t', 'INTEGER', 'Earliest drop time, ns after _group.time_base; NULL when not kept (damaged times).'),
      c('last_t', 'INTEGER', 'Latest drop time, likewise.'),
    ],
  },
  {
    name: '_drop_groups',
    kind: 'view',
    internal: true,
    doc: 'The drops view grouped by (who, what): its per-group columns, and drops, first_ns, last_ns per group.',
    columns: [
      ...['capture_id', 'host', 'family', 'saddr', 'sport', 'daddr', 'dport', 'state', 'tcp_flags', 'reason', 'reason_code', 'subsystem',
        'location', 'location_addr', 'netns', 'ifindex', 'ifname', 'mark', 'sk_source', 'stack_id', 'stack_status', 'new_site']
        .map((n) => c(n, GROUP_TEXT_COLUMNS.has(n) ? 'TEXT' : 'INTEGER', `As in drops.${n}.`)),
      c('group_id', 'INTEGER', '_group.group_id'),
      c('drops', 'INTEGER', 'Drops in the group.'),
      c('first_ns', 'INTEGER', 'Earliest time_ns.'),
      c('last_ns', 'INTEGER', 'Latest time_ns.'),
    ],
    select: DROP_GROUPS_SELECT,
  },
  {
    name: '_drops_with_group',
    kind: 'view',
    internal: true,
    doc: 'The drops view plus each drop\'s group_id, for summaries filtered on per-drop columns (time).',
    columns: [
      ...DROP_VIEW_COLUMNS.map((col) => c(col.name, col.type, `As in drops.${col.name}.`)),
      c('group_id', 'INTEGER', '_group.group_id'),
    ],
    select: DROPS_WITH_GROUP_SELECT,
  },
  {
    name: '_big_len',
    kind: 'table',
    internal: true,
    doc: 'len of the rare drops whose len does not fit _drop.ack_len.',
    columns: [c('drop_id', 'INTEGER', '_drop rowid.', 'PRIMARY KEY'), c('len', 'INTEGER', 'skb->len')],
  },
  {
    name: '_task',
    kind: 'table',
    internal: true,
    doc: 'Distinct (pid, tid, comm, cpu) per capture: the task running where the drop happened.',
    columns: [
      c('task_id', 'INTEGER', 'Id.', 'PRIMARY KEY'),
      c('capture_id', 'INTEGER', 'Capture id.'),
      c('pid', 'INTEGER', 'tgid'),
      c('tid', 'INTEGER', 'thread id'),
      c('comm', 'TEXT', 'task name'),
      c('cpu', 'INTEGER', 'CPU'),
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
    doc: 'Marks a database built by dropcap: schema_version, complete, drop_rows (0 when the drops have no _drop rows: an in-memory import for the unfiltered summary), warnings (JSON).',
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
