import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/common/errors.js';
import { parseTemplate, type TemplateContext } from '../../src/requests/template.js';

const context: TemplateContext = { where: '--body', env: { TOKEN: 'abc' } };
const parse = (text: string) => parseTemplate(text, context);
const errorOf = (text: string, ctx: TemplateContext = context): string => {
  try {
    parseTemplate(text, ctx);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error(`"${text}" parsed without an error`);
};

describe('parseTemplate', () => {
  it('splits text and every placeholder', () => {
    const text = '/p/{{seq}}/{{rand 1 100000}}?u={{uuid}}&s={{pick "a" "b c"}}&t={{now}}&m={{now_ms}}&c={{csv.user}}&d={{csv "full name"}}';
    const columnOf = (needle: string) => text.indexOf(needle) + 1;
    expect(parse('/p/{{seq}}/{{rand 1 100000}}?u={{uuid}}&s={{pick "a" "b c"}}&t={{now}}&m={{now_ms}}&c={{csv.user}}&d={{csv "full name"}}')).toEqual([
      { kind: 'text', text: '/p/' },
      { kind: 'seq' },
      { kind: 'text', text: '/' },
      { kind: 'rand', low: 1, high: 100000 },
      { kind: 'text', text: '?u=' },
      { kind: 'uuid' },
      { kind: 'text', text: '&s=' },
      { kind: 'pick', choices: ['a', 'b c'] },
      { kind: 'text', text: '&t=' },
      { kind: 'now' },
      { kind: 'text', text: '&m=' },
      { kind: 'nowMs' },
      { kind: 'text', text: '&c=' },
      { kind: 'csv', column: 'user', at: { line: 1, column: columnOf('{{csv.user') } },
      { kind: 'text', text: '&d=' },
      { kind: 'csv', column: 'full name', at: { line: 1, column: columnOf('{{csv "full') } },
    ]);
  });

  it('resolves {{env}} and quoted strings once, into text', () => {
    expect(parse('Bearer {{env "TOKEN"}} {{"{{"}}x}}')).toEqual([{ kind: 'text', text: 'Bearer abc {{x}}' }]);
  });

  it('keeps JSON braces around a placeholder as text', () => {
    expect(parse('{"a":{{{seq}}}}')).toEqual([{ kind: 'text', text: '{"a":{' }, { kind: 'seq' }, { kind: 'text', text: '}}' }]);
    expect(parse('{"id": {{seq}}}')).toEqual([{ kind: 'text', text: '{"id": ' }, { kind: 'seq' }, { kind: 'text', text: '}' }]);
  });

  it('allows spaces inside the braces and negative rand bounds', () => {
    expect(parse('{{ rand -5 5 }}')).toEqual([{ kind: 'rand', low: -5, high: 5 }]);
  });

  it('text without placeholders is one part', () => {
    expect(parse('plain } text }}')).toEqual([{ kind: 'text', text: 'plain } text }}' }]);
  });
});

describe('template errors name the place, line:column and what was expected', () => {
  it('an unknown placeholder', () => {
    expect(errorOf('{"a": 1,\n "b": {{rnd 1 2}}}')).toBe(
      '--body 2:9: unknown placeholder "rnd": expected seq, rand <low> <high>, uuid, pick "a" "b" ..., now, now_ms, csv.<column>, csv "<column>", env "<NAME>" or a "quoted string"',
    );
  });
  it('an unclosed {{', () => {
    expect(errorOf('abc {{seq')).toBe('--body 1:5: unclosed "{{": expected "}}" to end the placeholder');
  });
  it('an empty placeholder', () => {
    expect(errorOf('{{}}')).toMatch(/^--body 1:1: empty placeholder "\{\{\}\}": expected seq, /);
  });
  it('rand with one bound, a non-number, or low above high', () => {
    expect(errorOf('{{rand 1}}')).toBe('--body 1:3: rand takes two numbers: expected {{rand <low> <high>}} with whole numbers, low <= high, e.g. {{rand 1 100000}}');
    expect(errorOf('{{rand 1 x}}')).toMatch(/^--body 1:10: rand's bounds must be whole numbers, got x: /);
    expect(errorOf('{{rand 1.5 3}}')).toMatch(/^--body 1:8: rand's bounds must be whole numbers, got 1.5/);
    expect(errorOf('{{rand 9 3}}')).toMatch(/^--body 1:8: rand's low bound 9 is above its high bound 3/);
  });
  it('arguments to a placeholder that takes none', () => {
    expect(errorOf('{{uuid 4}}')).toBe('--body 1:8: {{uuid}} takes no arguments');
  });
  it('pick without choices or with unquoted ones', () => {
    expect(errorOf('{{pick}}')).toBe('--body 1:3: pick needs at least one choice: expected {{pick "a" "b" ...}}');
    expect(errorOf('{{pick "a" b}}')).toBe('--body 1:12: pick\'s choices must be "quoted strings", got b');
  });
  it('an unset environment variable', () => {
    expect(errorOf('{{env "NOPE"}}')).toBe('--body 1:7: environment variable NOPE is not set');
    expect(errorOf('{{env NOPE}}')).toBe('--body 1:3: env takes one quoted variable name: expected {{env "NAME"}}');
  });
  it('csv without a column', () => {
    expect(errorOf('{{csv}}')).toBe('--body 1:3: csv takes one quoted column name: expected {{csv "column"}} or {{csv.column}}');
  });
  it('a bad escape in a string', () => {
    expect(errorOf('{{"a\\qb"}}')).toBe('--body 1:5: unknown escape in a string: expected \\" \\\\ \\n \\r or \\t');
  });
  it('offsets columns by where the template starts in the URL', () => {
    expect(errorOf('/x/{{bad}}', { where: 'URL', env: {}, columnOffset: 21 })).toMatch(/^URL 1:27: unknown placeholder "bad"/);
  });
  it('places errors in a file by its own line and column', () => {
    const file = { path: 'reqs.yaml', line: 7, column: 11, indent: 6 };
    expect(errorOf('/x/{{bad}}', { where: 'requests[1].path', env: {}, file })).toMatch(/^reqs\.yaml:7:16: requests\[1\]\.path: unknown placeholder "bad"/);
    expect(errorOf('a\n{{bad}}', { where: 'requests[1].body', env: {}, file })).toMatch(/^reqs\.yaml:8:9: requests\[1\]\.body: unknown placeholder/);
  });
});
