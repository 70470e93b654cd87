// A reporter that lists, when the run ends, each test skipped with a reason (ctx.skip(reason)):
// a test of pace that the run's own self-check excused. The default reporter counts them but
// keeps the reasons, so a CI log would say that a check did not run and never why.
import type { Reporter, TestCase, TestModule } from 'vitest/node';
import { relative } from 'node:path';

const MAX_REASON = 200;

export default class SkipReasons implements Reporter {
  private readonly skipped: { file: string; name: string; note: string }[] = [];

  onTestCaseResult(test: TestCase): void {
    const result = test.result();
    if (result.state !== 'skipped' || !result.note) return;
    this.skipped.push({ file: relative(process.cwd(), test.module.moduleId), name: test.name, note: result.note });
  }

  onTestRunEnd(_modules: ReadonlyArray<TestModule>): void {
    if (this.skipped.length === 0) return;
    // One line per file and reason: the tests of a file excused by one run share it.
    const groups = new Map<string, string[]>();
    for (const { file, name, note } of this.skipped) {
      const key = `${file}: ${note.length > MAX_REASON ? `${note.slice(0, MAX_REASON)}…` : note}`;
      groups.set(key, [...(groups.get(key) ?? []), name]);
    }
    const lines = [...groups].map(([key, names]) => `  ${key} (${names.length} test${names.length === 1 ? '' : 's'})`);
    process.stdout.write(`\nSkipped with a reason (${this.skipped.length}):\n${lines.join('\n')}\n`);
  }
}
