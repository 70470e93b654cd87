// csv.ts: reads the CSV file behind {{csv.column}} (RFC 4180: comma-separated, "quoted" fields
// with "" for a quote, CRLF or LF line ends; the first row names the columns) and packs it into
// the bytes + offsets the native pump indexes without parsing.
import { readFileSync } from 'node:fs';
import { UsageError } from '../common/errors.js';

export interface CsvData {
  /** The file as given on the command line, for messages. */
  path: string;
  columns: string[];
  /** Data rows (the header row excluded), each with one cell per column. */
  rows: string[][];
}

export function readCsv(path: string): CsvData {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`--csv cannot read "${path}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parseCsv(text, path);
}

export function parseCsv(text: string, path: string): CsvData {
  const records = splitRecords(text.replace(/^\uFEFF/, ''), path);
  const [header, ...rows] = records;
  if (header === undefined || rows.length === 0) {
    throw new UsageError(`--csv ${path}: expected a header row naming the columns and at least one data row`);
  }
  const seen = new Set<string>();
  for (const name of header.fields) {
    if (seen.has(name)) throw new UsageError(`--csv ${path} 1:1: column "${name}" appears twice in the header row`);
    seen.add(name);
  }
  for (const row of rows) {
    if (row.fields.length !== header.fields.length) {
      throw new UsageError(`--csv ${path} ${row.line}:1: row has ${row.fields.length} fields, expected ${header.fields.length} (as the header row)`);
    }
  }
  return { path, columns: header.fields, rows: rows.map((r) => r.fields) };
}

interface CsvRecord {
  line: number;
  fields: string[];
}

function splitRecords(text: string, path: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let i = 0;
  const endRecord = () => {
    fields.push(field);
    // A blank line (one empty field) is not a record: files often end with one.
    if (!(fields.length === 1 && fields[0] === '')) records.push({ line: recordLine, fields });
    fields = [];
    field = '';
  };
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"' && field === '') {
      const openedLine = line;
      let column = i - text.lastIndexOf('\n', i - 1);
      i++;
      for (;;) {
        if (i >= text.length) throw new UsageError(`--csv ${path} ${openedLine}:${column}: unclosed quoted field: expected a closing "`);
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (text[i] === '\n') line++;
        field += text[i];
        i++;
      }
      const next = text[i];
      if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
        column = i - text.lastIndexOf('\n', i - 1);
        throw new UsageError(`--csv ${path} ${line}:${column}: expected a comma or a line end after a quoted field`);
      }
      continue;
    }
    if (c === ',') {
      fields.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      endRecord();
      if (c === '\r' && text[i + 1] === '\n') i++;
      line++;
      recordLine = line;
    } else {
      field += c;
    }
    i++;
  }
  if (field !== '' || fields.length > 0) endRecord();
  return records;
}

/**
 * The native layout: every cell's bytes (UTF-8 for text) back to back, and rows*columns + 1
 * offsets into them. A list of request bodies is a table of one column (compile.ts).
 */
export function packCsv(csv: CsvData | { rows: Buffer[][] }): { bytes: Buffer; offsets: Float64Array } {
  const cells = (csv.rows as (string | Buffer)[][]).flat().map((cell) => (Buffer.isBuffer(cell) ? cell : Buffer.from(cell, 'utf8')));
  const offsets = new Float64Array(cells.length + 1);
  let total = 0;
  cells.forEach((cell, i) => {
    offsets[i] = total;
    total += cell.length;
  });
  offsets[cells.length] = total;
  return { bytes: Buffer.concat(cells, total), offsets };
}
