// CSV as RFC 4180 writes it: fields separated by commas, records by CRLF or LF, a field
// that holds a comma, a quote or a line break is quoted and its quotes doubled. Each record
// keeps the line it starts on, so an import can name the line of a bad row even when an
// earlier field spans several lines.
import { fail, ok, type Result } from './result.js';

export interface CsvRecord {
  /** 1-based line of the file where the record starts. */
  line: number;
  fields: string[];
}

/** The records of `text`; an unterminated quote or a stray quote is a failure naming its line. */
export function parseCsv(text: string): Result<CsvRecord[]> {
  const records: CsvRecord[] = [];
  // A byte order mark is how spreadsheet programs mark UTF-8; it is not part of the header.
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  while (i < text.length) {
    const start = line;
    const fields: string[] = [];
    for (;;) {
      let field = '';
      if (text[i] === '"') {
        i++;
        for (;;) {
          if (i >= text.length) return fail('bad_request', `line ${start}: a quoted field is not closed`);
          const c = text[i]!;
          if (c === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (c === '\n') line++;
          field += c;
          i++;
        }
        if (i < text.length && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') {
          return fail('bad_request', `line ${line}: text after a closing quote`);
        }
      } else {
        while (i < text.length && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') {
          if (text[i] === '"') return fail('bad_request', `line ${line}: a quote inside an unquoted field`);
          field += text[i++];
        }
      }
      fields.push(field);
      if (text[i] === ',') {
        i++;
        continue;
      }
      break;
    }
    if (text[i] === '\r') i++;
    if (text[i] === '\n') i++;
    line++;
    // Blank lines (a trailing newline, a spreadsheet's empty rows) are not records.
    if (!(fields.length === 1 && fields[0] === '')) records.push({ line: start, fields });
  }
  return ok(records);
}

function quote(field: string): string {
  return /[",\r\n]/.test(field) || /^\s|\s$/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}

/** A CSV text: the header, then one record per row, CRLF after each, as RFC 4180 says. */
export function formatCsv(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  return [header, ...rows].map((r) => r.map(quote).join(',') + '\r\n').join('');
}
