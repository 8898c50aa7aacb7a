import type { Figure } from './figures';

/** Where and how the table was made, printed above it. */
export interface RunInfo {
  date: string;
  cpu: string;
  cores: number;
  node: string;
  os: string;
  command: string;
  /** Bench cases that failed or were skipped: their rows are missing or partial. */
  problems: string[];
}

const HEADER = ['#', 'Measure', 'chatkeep', 'Baseline (same run)', 'Ratio', 'Goal', 'Met', 'How measured'];

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function verdict(met: boolean | null): string {
  return met === null ? '—' : met ? 'yes' : '**MISSED**';
}

/** Rows in issue order, then in each row's own order. */
function sortFigures(figures: readonly Figure[]): Figure[] {
  return [...figures].sort((a, b) => a.row - b.row || a.order - b.order);
}

/** The figures as one Markdown table. */
export function markdownTable(figures: readonly Figure[]): string {
  const lines = [`| ${HEADER.join(' | ')} |`, `|${HEADER.map(() => '---').join('|')}|`];
  for (const f of sortFigures(figures)) {
    const cells = [
      String(f.row),
      f.measure,
      f.chatkeep,
      `${f.baseline} (${f.baselineName})`,
      f.ratio,
      f.goal,
      verdict(f.met),
      f.method,
    ];
    lines.push(`| ${cells.map(cell).join(' | ')} |`);
  }
  return lines.join('\n');
}

/** The whole BENCHMARKS.md. */
export function benchmarksDocument(figures: readonly Figure[], run: RunInfo, notes: string): string {
  const missed = figures.filter((f) => f.met === false).map((f) => `row ${f.row} (${f.measure})`);
  const parts = [
    '# Benchmarks',
    '',
    'Every line compares chatkeep with a baseline measured in the same run: the pattern chatkeep replaces, or the',
    'floor (the least any implementation must do). Regenerate this file with the command below; it is written by the',
    'bench itself.',
    '',
    `- Date: ${run.date}`,
    `- Machine: ${run.cpu}, ${run.cores} cores, Node ${run.node}, ${run.os}`,
    `- Command: \`${run.command}\``,
    '',
    markdownTable(figures),
    '',
    missed.length === 0 ? 'Every goal is met.' : `Goals missed: ${missed.join('; ')}.`,
  ];
  if (run.problems.length > 0) {
    parts.push('', 'Incomplete: ' + run.problems.join('; ') + '.');
  }
  parts.push('', notes.trim(), '');
  return parts.join('\n');
}

/** The table for a terminal: the Markdown table is already readable there, with the run line above it. */
export function terminalReport(figures: readonly Figure[], run: RunInfo): string {
  const lines = [
    '',
    `chatkeep benchmarks — ${run.date} — ${run.cpu}, ${run.cores} cores, Node ${run.node}`,
    '',
    markdownTable(figures),
    '',
  ];
  const missed = figures.filter((f) => f.met === false);
  lines.push(
    missed.length === 0
      ? 'Every goal is met.'
      : `MISSED (the run exits 1): ${missed.map((f) => `row ${f.row} (${f.measure}: ${f.chatkeep}, goal ${f.goal})`).join('; ')}`,
  );
  if (run.problems.length > 0) lines.push(`Incomplete: ${run.problems.join('; ')}`);
  return lines.join('\n') + '\n';
}
