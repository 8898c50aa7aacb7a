/**
 * The bench's vitest reporter: vitest's default output for progress and failures, except that the figures bench
 * cases print are collected instead of echoed; at the end it prints one table, writes BENCHMARKS.md, and makes the
 * run exit non-zero when a row missed its goal.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, release, type as osType } from 'node:os';
import { join } from 'node:path';
import type { UserConsoleLog } from 'vitest';
import { DefaultReporter, type TestCase, type TestModule } from 'vitest/node';
import { parseFigure, type Figure } from './figures';
import { BENCH_NOTES } from './notes';
import { benchmarksDocument, terminalReport, type RunInfo } from './table';

/** The table's rows; BENCHMARKS.md is written only when every one has a figure. */
const ROWS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];

export interface BenchReporterOptions {
  /** Folder BENCHMARKS.md is written to. */
  root: string;
  /** The command a reader runs to regenerate the table. */
  command: string;
}

export class BenchReporter extends DefaultReporter {
  private readonly figures: Figure[] = [];
  private readonly problems: string[] = [];

  constructor(private readonly benchOptions: BenchReporterOptions) {
    super();
  }

  override onUserConsoleLog(log: UserConsoleLog): void {
    // Node's pool batches console lines written close together into one log.
    const others: string[] = [];
    for (const line of log.content.split('\n')) {
      const figure = parseFigure(line);
      if (figure === undefined) others.push(line);
      else this.figures.push(figure);
    }
    const rest = others.join('\n');
    if (rest.trim() !== '') super.onUserConsoleLog({ ...log, content: rest });
  }

  override onTestCaseResult(testCase: TestCase): void {
    super.onTestCaseResult(testCase);
    const result = testCase.result();
    if (result.state === 'failed') {
      const why = result.errors?.[0]?.message ?? 'failed';
      this.problems.push(`${testCase.fullName} failed: ${why.split('\n')[0] ?? why}`);
    } else if (result.state === 'skipped') {
      this.problems.push(`${testCase.fullName} skipped${result.note ? ` (${result.note})` : ''}`);
    }
  }

  override async onTestRunEnd(...args: Parameters<DefaultReporter['onTestRunEnd']>): Promise<void> {
    await super.onTestRunEnd(...args);
    const [modules] = args as [ReadonlyArray<TestModule>, ...unknown[]];
    for (const module of modules) {
      for (const error of module.errors()) this.problems.push(`${module.moduleId}: ${error.message.split('\n')[0]}`);
    }
    const run = runInfo(this.benchOptions.command, this.problems);
    process.stdout.write(terminalReport(this.figures, run));
    // A missed goal fails the run as a failed case does (vitest only ever raises the exit code); the table above
    // names the rows, and BENCHMARKS.md is still written, saying the same.
    if (this.figures.some((f) => f.met === false)) process.exitCode = 1;
    // A partial run (one project, one file, a failure) must not replace the full table.
    const missing = ROWS.filter((row) => !this.figures.some((f) => f.row === row));
    if (missing.length > 0 || this.problems.length > 0) {
      process.stdout.write(`BENCHMARKS.md not written: ${missing.length > 0 ? `rows ${missing.join(', ')} missing` : 'some cases failed'}.\n`);
      return;
    }
    const file = join(this.benchOptions.root, 'BENCHMARKS.md');
    writeFileSync(file, benchmarksDocument(this.figures, run, BENCH_NOTES));
    process.stdout.write(`Written to ${file}\n`);
  }
}

function runInfo(command: string, problems: string[]): RunInfo {
  const cpuList = cpus();
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    cpu: cpuList[0]?.model.trim() ?? 'unknown CPU',
    cores: cpuList.length,
    node: process.versions.node,
    os: `${distribution()}${osType()} ${release()} (${process.platform}/${process.arch})`,
    command,
    problems,
  };
}

/** e.g. `Debian GNU/Linux 12 (bookworm), ` from /etc/os-release, where there is one. */
function distribution(): string {
  if (!existsSync('/etc/os-release')) return '';
  const name = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1];
  return name ? `${name}, ` : '';
}
