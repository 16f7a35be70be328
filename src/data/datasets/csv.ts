// RFC 4180 CSV reader for annotation files (Kinetics CSVs, SSv2 answers). Pure; compute worker and tests.

export interface CsvRow {
  /** Field values; quoted fields are unquoted and `""` becomes `"`; unquoted fields are trimmed. */
  readonly fields: readonly string[];
  /** 1-based line where the record starts. */
  readonly line: number;
  /** Set when the record ends inside an open quote (the rest of the file became its last field). */
  readonly malformed?: string;
}

/**
 * Splits CSV text into records. Handles quoted fields containing the delimiter, `""` escapes and
 * line breaks, LF/CRLF/CR endings and a BOM. Blank lines are skipped.
 * @param delimiter one character (default ',')
 */
export function parseCsv(text: string, delimiter = ','): CsvRow[] {
  const src = text.replace(/^\uFEFF/, '');
  const rows: CsvRow[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false; // the current field was quoted (keep its spaces)
  let inQuotes = false;
  let line = 1;
  let start = 1;

  const endField = (): void => {
    fields.push(quoted ? field : field.trim());
    field = '';
    quoted = false;
  };
  const endRecord = (): void => {
    endField();
    if (fields.length > 1 || fields[0] !== '') rows.push({ fields, line: start });
    fields = [];
  };

  for (let i = 0; i < src.length; i++) {
    const ch = src[i] ?? '';
    if (inQuotes) {
      if (ch === '"') {
        if (src[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          inQuotes = false;
        }
      } else {
        if (ch === '\n' || (ch === '\r' && src[i + 1] !== '\n')) line++;
        field += ch;
      }
      continue;
    }
    if (ch === '"' && field.trim() === '') {
      inQuotes = true;
      quoted = true;
      field = '';
    } else if (ch === delimiter) {
      endField();
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && src[i + 1] === '\n') i++;
      endRecord();
      line++;
      start = line;
    } else if (quoted && (ch === ' ' || ch === '\t')) {
      // padding after a closing quote
    } else {
      field += ch;
    }
  }
  if (inQuotes) {
    fields.push(field);
    rows.push({ fields, line: start, malformed: 'unterminated quoted field' });
  } else if (field !== '' || fields.length > 0) {
    endRecord();
  }
  return rows;
}
