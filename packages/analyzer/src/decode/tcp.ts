// TCP state and flag names as bcc's tcpdrop prints them.

// include/net/tcp_states.h order; 0 is ours: the event had no socket
const STATES = [
  'NONE',
  'ESTABLISHED',
  'SYN_SENT',
  'SYN_RECV',
  'FIN_WAIT1',
  'FIN_WAIT2',
  'TIME_WAIT',
  'CLOSE',
  'CLOSE_WAIT',
  'LAST_ACK',
  'LISTEN',
  'CLOSING',
  'NEW_SYN_RECV',
];

export function tcpStateName(n: number): string {
  return STATES[n] ?? `UNKNOWN(${n})`;
}

/** bit order of TCP header byte 13, as bcc's tcp.flags2str walks it */
const FLAG_NAMES: Array<[number, string]> = [
  [0x01, 'FIN'],
  [0x02, 'SYN'],
  [0x04, 'RST'],
  [0x08, 'PSH'],
  [0x10, 'ACK'],
  [0x20, 'URG'],
  [0x40, 'ECE'],
  [0x80, 'CWR'],
];

const FLAGS_CACHE: string[] = Array.from({ length: 256 }, (_, b) =>
  FLAG_NAMES.filter(([bit]) => b & bit)
    .map(([, name]) => name)
    .join('|'),
);

/** `SYN|ACK`; 0 gives the empty string. */
export function tcpFlagsString(byte: number): string {
  return FLAGS_CACHE[byte & 0xff]!;
}

/** For the SQL lookup tables. */
export function allTcpStates(): Array<[number, string]> {
  return STATES.map((s, i) => [i, s]);
}
