// Small statistics over repetitions: the median is what counts.

/** @param {Array<number|null|undefined>} xs @returns {number|null} */
export function median(xs) {
  const v = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/** @param {Array<number|null|undefined>} xs @returns {[number, number]|null} */
export function range(xs) {
  const v = xs.filter((x) => typeof x === 'number' && Number.isFinite(x));
  if (v.length === 0) return null;
  return [Math.min(...v), Math.max(...v)];
}
