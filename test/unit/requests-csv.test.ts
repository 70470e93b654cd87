import { describe, expect, it } from 'vitest';
import { packCsv, parseCsv } from '../../src/requests/csv.js';

describe('parseCsv', () => {
  it('reads the header row, quoted fields with commas, quotes and line breaks, CRLF and a trailing newline', () => {
    const csv = parseCsv('id,name,note\r\n1,"Smith, Ann","said ""hi""\nthen left"\r\n2,Bob,\n', 'u.csv');
    expect(csv.columns).toEqual(['id', 'name', 'note']);
    expect(csv.rows).toEqual([
      ['1', 'Smith, Ann', 'said "hi"\nthen left'],
      ['2', 'Bob', ''],
    ]);
  });

  it('names the file, line and problem', () => {
    expect(() => parseCsv('a,b\n1,2\n3\n', 'u.csv')).toThrow('--csv u.csv 3:1: row has 1 fields, expected 2 (as the header row)');
    expect(() => parseCsv('a,b\n1,"2\n', 'u.csv')).toThrow('--csv u.csv 2:3: unclosed quoted field: expected a closing "');
    expect(() => parseCsv('a\n"1"x\n', 'u.csv')).toThrow('--csv u.csv 2:4: expected a comma or a line end after a quoted field');
    expect(() => parseCsv('a,b\n', 'u.csv')).toThrow('--csv u.csv: expected a header row naming the columns and at least one data row');
    expect(() => parseCsv('a,a\n1,2\n', 'u.csv')).toThrow('--csv u.csv 1:1: column "a" appears twice in the header row');
  });
});

describe('packCsv', () => {
  it('packs cells back to back in UTF-8 with rows*columns + 1 offsets', () => {
    const { bytes, offsets } = packCsv({ path: 'u.csv', columns: ['a', 'b'], rows: [['x', 'é'], ['', 'yz']] });
    expect(bytes.toString('utf8')).toBe('xéyz');
    expect(Array.from(offsets)).toEqual([0, 1, 3, 3, 5]);
  });
});
