/**
 * An import progress bar on stderr, drawn only when stderr is a terminal
 * (CI logs and pipes stay clean) and redrawn at most ten times a second.
 */

export interface ProgressTarget {
  readonly isTTY?: boolean;
  write(chunk: string): unknown;
}

export interface ProgressBar {
  /** Pass as loadCaptures' onProgress; undefined when there is no terminal. */
  readonly onProgress: ((done: number, total: number) => void) | undefined;
  /** Erases the bar so the next output starts on a clean line. */
  finish(): void;
}

/** The bar's text for a fraction, e.g. "importing [#####.....]  50%". */
export function formatProgress(done: number, total: number, width = 30): string {
  const fraction = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
  const filled = Math.round(fraction * width);
  return `importing [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}%`;
}

export function createProgressBar(stream: ProgressTarget, now: () => number = Date.now): ProgressBar {
  if (stream.isTTY !== true) return { onProgress: undefined, finish() {} };
  let lastDraw = -Infinity;
  let drawn = false;
  return {
    onProgress(done, total) {
      const t = now();
      if (t - lastDraw < 100 && done < total) return;
      lastDraw = t;
      drawn = true;
      stream.write(`\r${formatProgress(done, total)}`);
    },
    finish() {
      // \r + erase-line: leaves no half bar in the scrollback.
      if (drawn) stream.write('\r\u001b[2K');
      drawn = false;
    },
  };
}
