/**
 * One line of the benchmark table, and the way a bench case hands it to the reporter. Bench cases run in three
 * places (workerd, node, a node process driving Chromium), and console output is the one channel all of them share
 * with the reporter: each figure is printed as a tagged JSON line, which the reporter collects instead of echoing.
 */

/** Prefix of a console line that carries a {@link Figure}. */
const FIGURE_TAG = '[chatkeep-bench] ';

export interface Figure {
  /** Row of the table (1–12); it is sorted by row, then by `order`. */
  row: number;
  /** Sort key within a row (several lines per row: N = 10, 100, …). */
  order: number;
  /** What is measured, e.g. `KV ops per history load, N = 100`. */
  measure: string;
  /** chatkeep's figure, with its unit. */
  chatkeep: string;
  /** The baseline's figure, measured in the same run. */
  baseline: string;
  /** Which pattern the baseline is. */
  baselineName: string;
  /** chatkeep ÷ baseline (or the reverse where stated), or an operation-count comparison. */
  ratio: string;
  /** The goal, in words, e.g. `<= 3`. */
  goal: string;
  /** `true` met, `false` missed, `null` when the line only informs (no goal of its own). */
  met: boolean | null;
  /** How it was measured: where it ran, what was counted or timed, how many runs. */
  method: string;
}

/** Hands a figure to the bench reporter (through the console, the channel every pool forwards). */
export function report(figure: Figure): void {
  console.log(FIGURE_TAG + JSON.stringify(figure));
}

/** Parses a console line printed by {@link report}; `undefined` for any other line. */
export function parseFigure(line: string): Figure | undefined {
  const start = line.indexOf(FIGURE_TAG);
  if (start === -1) return undefined;
  try {
    return JSON.parse(line.slice(start + FIGURE_TAG.length).trim()) as Figure;
  } catch {
    return undefined;
  }
}

/** `a / b` with two decimals and an `x`, or `n/a` when the baseline is zero. */
export function ratio(a: number, b: number, digits = 2): string {
  return b === 0 ? 'n/a' : `${(a / b).toFixed(digits)}x`;
}

/** The median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  const upper = sorted[mid] ?? Number.NaN;
  return sorted.length % 2 === 1 ? upper : ((sorted[mid - 1] ?? upper) + upper) / 2;
}

/** Milliseconds with a sensible number of decimals. */
export function ms(value: number): string {
  return value >= 100 ? `${value.toFixed(0)} ms` : value >= 10 ? `${value.toFixed(1)} ms` : `${value.toFixed(2)} ms`;
}

/** `1 op`, `5 ops`. */
export function plural(count: number, unit: string): string {
  return `${count.toLocaleString('en')} ${unit}${count === 1 ? '' : 's'}`;
}
