// TCP flag byte (byte 13 of the header) <-> the "SYN|ACK" text tcpdrop prints.

// tcpdrop's order: low bit first
const FLAG_NAMES = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR'] as const;

export type TcpFlagName = (typeof FLAG_NAMES)[number];

export function tcpFlagsText(byte: number): string {
  const names = FLAG_NAMES.filter((_, bit) => byte & (1 << bit));
  return names.length ? names.join('|') : 'NONE';
}

export function tcpFlagsByte(names: readonly TcpFlagName[]): number {
  return names.reduce((acc, n) => acc | (1 << FLAG_NAMES.indexOf(n)), 0);
}
