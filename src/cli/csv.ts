/**
 * CSV per RFC 4180: comma-separated, CRLF-free (one `\n` per record, as spreadsheets accept),
 * a field quoted when it holds a comma, a quote or a line break. Nested values are JSON.
 */

/** One field. null and undefined are empty. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One record of `columns` from `row`, without the line break. */
export function csvRecord(columns: readonly string[], row: Record<string, unknown>): string {
  return columns.map((column) => csvField(row[column])).join(',');
}
