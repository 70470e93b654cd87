// sequencer.ts: the order vitest starts test files in. Without a timing cache (a clean clone, CI)
// vitest starts the largest files first, taking size for time. Three files break that rule: each is
// one small test that runs long serial work, so they would start last and run alone at the end of
// their project (a clean-clone CI run: docs-examples 66 s, native-units 17 s, the end of a
// 230 s project; the type check ~12 s). Started first, the other files fill the workers beside them.
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Started first, in this order, within their project; every other file keeps vitest's order. */
const LONG_FIRST = [
  'test/integration/docs-examples.test.ts',
  'test/unit/native-units.test.ts',
  'test/unit/typecheck.test.ts',
];

export class LongFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (spec: TestSpecification): number => {
      const at = LONG_FIRST.findIndex((name) => spec.moduleId.endsWith(name));
      return at < 0 ? LONG_FIRST.length : at;
    };
    const group = (spec: TestSpecification): number => spec.project.config.sequence.groupOrder;
    // Array.prototype.sort is stable: within a project and a rank, vitest's own order stays.
    return [...sorted].sort((a, b) => group(a) - group(b) || rank(a) - rank(b));
  }
}
