/**
 * CSV for spreadsheets and accounting tools (RFC 4180): every cell that holds a comma, a quote or a line break is
 * quoted, quotes doubled. Text that a spreadsheet would run as a formula (starting with = + - @, or a tab or carriage
 * return that some of them skip first) gets a leading apostrophe, so a customer named "=HYPERLINK(…)" stays text.
 * Numbers we format ourselves (minor units, decimal strings) are written as they are.
 */
export type CsvCell = string | number | boolean | null | undefined | Date | CsvNumber;

/** A number already formatted as text (e.g. "117.45"): never defused, so spreadsheets read it as a number. */
export class CsvNumber {
  constructor(readonly text: string) {}
}

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

export function csvCell(value: CsvCell): string {
  if (value === null || value === undefined) return '';
  if (value instanceof CsvNumber) return value.text;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  let text = value instanceof Date ? value.toISOString() : value;
  if (FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRow(cells: CsvCell[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}
