// CSV as RFC 4180 writes it: quoted fields with commas, doubled quotes and line breaks, CRLF
// or LF, a byte order mark, blank lines; each record keeps the line it starts on.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatCsv, parseCsv } from '../../core/csv.js';
import { unwrap } from '../../core/result.js';

test('fields, quotes, doubled quotes and line breaks inside quotes', () => {
  const text = 'a,b,c\r\n1,"x, y","say ""hi"""\n2,"two\nlines",\n\n3,,z\n';
  const records = unwrap(parseCsv(text));
  assert.equal(records, [
    { line: 1, fields: ['a', 'b', 'c'] },
    { line: 2, fields: ['1', 'x, y', 'say "hi"'] },
    { line: 3, fields: ['2', 'two\nlines', ''] },
    // The record after a two-line field starts on line 6 (line 5 is blank).
    { line: 6, fields: ['3', '', 'z'] },
  ]);
});

test('a byte order mark is not part of the first field; no trailing newline is needed', () => {
  assert.equal(unwrap(parseCsv('\ufeffcode,name\nEA,Each')), [{ line: 1, fields: ['code', 'name'] }, { line: 2, fields: ['EA', 'Each'] }]);
});

test('broken quoting is refused with its line', () => {
  const open = parseCsv('a,b\n1,"never closed\n');
  assert.is(open.ok, false);
  assert.match(!open.ok ? open.message : '', /^line 2:/);
  const stray = parseCsv('a,b\n1,2\nx"y,3\n');
  assert.is(stray.ok, false);
  assert.match(!stray.ok ? stray.message : '', /^line 3:/);
  const after = parseCsv('a\n"q"x\n');
  assert.is(after.ok, false);
});

test('formatCsv quotes what needs it, and parseCsv reads back exactly what was written', () => {
  const rows = [['plain', 'with, comma', 'with "quote"'], ['line\nbreak', '', ' padded ']];
  const text = formatCsv(['a', 'b', 'c'], rows);
  assert.is(text.split('\r\n')[0], 'a,b,c');
  assert.ok(text.includes('"with, comma"') && text.includes('"with ""quote"""') && text.includes('" padded "'));
  assert.equal(unwrap(parseCsv(text)).map((r) => r.fields), [['a', 'b', 'c'], ...rows]);
});

test.run();
