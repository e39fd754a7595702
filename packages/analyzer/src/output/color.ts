/**
 * Colour only when writing to a terminal, never when NO_COLOR is set to a
 * non-empty value (https://no-color.org) and never for TERM=dumb.
 */

export interface ColorTarget {
  readonly isTTY?: boolean;
}

export function shouldUseColor(stream: ColorTarget, env: Readonly<Record<string, string | undefined>>): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  return stream.isTTY === true;
}

/** A palette whose functions are identities when colour is off. */
export interface Palette {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
}

const sgr = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;
const identity = (s: string) => s;

export function palette(enabled: boolean): Palette {
  if (!enabled) return { bold: identity, dim: identity, red: identity, yellow: identity, cyan: identity };
  return { bold: sgr(1, 22), dim: sgr(2, 22), red: sgr(31, 39), yellow: sgr(33, 39), cyan: sgr(36, 39) };
}
