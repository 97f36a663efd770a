/** RFC 4180 CSV: fields with a comma, quote or line break are quoted, quotes doubled. */
export function csvField(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export function csvLine(fields: readonly string[]): string {
  return `${fields.map(csvField).join(',')}\n`;
}

/**
 * Parses CSV text into rows of fields. A final line without its newline (a write cut short) is
 * returned with `complete: false` so the caller can drop it. `unclosedQuoteLine` (1-based) says
 * where a quoted field began that the text never closes: the rest of the text went into it.
 */
export function parseCsv(text: string): { rows: string[][]; lastComplete: boolean; unclosedQuoteLine?: number } {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  // True right after a row's line break (or at the start): only then is the text whole. Field
  // content alone cannot tell, since a cut after `""` leaves an empty, unquoted field.
  let atRowStart = true;
  let line = 1;
  let quoteLine = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    atRowStart = false;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else field += c;
      if (c === '\n') line++;
      i++;
      continue;
    }
    if (c === '"' && field === '') {
      quoted = true;
      quoteLine = line;
    } else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      line++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      atRowStart = true;
    } else field += c;
    i++;
  }
  const lastComplete = atRowStart;
  if (!lastComplete) {
    row.push(field);
    rows.push(row);
  }
  return { rows, lastComplete, ...(quoted ? { unclosedQuoteLine: quoteLine } : {}) };
}
