import { displayWidth, oneLine, shorten } from "./text.js";

/** An ERROR column is a reminder, not the message: `inspect` shows it whole. */
export const ERROR_WIDTH = 60;

export interface Column<Row> {
  header: string;
  /** The plain text of the cell; colour is added by `style`, after widths are known. */
  value(row: Row): string;
  /** Colours the cell's text (e.g. status colours); must not change its visible width. */
  style?(text: string, row: Row): string;
  /** The column that gives up width when the table is wider than `maxWidth` (at most one). */
  shrink?: boolean;
}

export interface TableOptions {
  /** Terminal width; undefined on a non-TTY, where nothing is shortened to fit. */
  maxWidth?: number;
  /** Print the header row (default true). */
  header?: boolean;
  /** The narrowest a shrinking column gets before the table is allowed to overflow. */
  minShrinkWidth?: number;
}

const GAP = "  ";

/**
 * A borderless, aligned table in the manner of `kubectl get` / `gh run list`: two spaces
 * between columns, no trailing blanks, plain text unless a column styles its cells. Used
 * instead of cli-table3 because fitting one column to the terminal is all we need and
 * this keeps the module graph of `builds ls` small.
 */
export function formatTable<Row>(columns: Column<Row>[], rows: Row[], opts: TableOptions = {}): string[] {
  const showHeader = opts.header ?? true;
  const cells = rows.map((row) => columns.map((c) => c.value(row)));
  // Cells of a table are one line each, whatever the data held.
  const plain = cells.map((r) => r.map(oneLine));
  const widths = columns.map((c, i) =>
    Math.max(showHeader ? displayWidth(c.header) : 0, ...plain.map((r) => displayWidth(r[i]!))),
  );
  const shrinkAt = columns.findIndex((c) => c.shrink);
  if (opts.maxWidth !== undefined && shrinkAt >= 0) {
    const total = widths.reduce((a, b) => a + b, 0) + GAP.length * (columns.length - 1);
    const excess = total - opts.maxWidth;
    if (excess > 0) {
      const floor = Math.min(widths[shrinkAt]!, Math.max(opts.minShrinkWidth ?? 10, displayWidth(columns[shrinkAt]!.header)));
      widths[shrinkAt] = Math.max(floor, widths[shrinkAt]! - excess);
      for (const r of plain) r[shrinkAt] = shorten(r[shrinkAt]!, widths[shrinkAt]!);
    }
  }
  const lines: string[] = [];
  const render = (texts: string[], row?: Row) => {
    const last = texts.length - 1;
    const parts = texts.map((text, i) => {
      const pad = i === last ? "" : " ".repeat(Math.max(0, widths[i]! - displayWidth(text)));
      const style = columns[i]!.style;
      // Escape codes wrap the text only, so padding stays plain and widths stay true.
      return (row !== undefined && style && text ? style(text, row) : text) + pad;
    });
    return parts.join(GAP).trimEnd();
  };
  if (showHeader) lines.push(render(columns.map((c) => c.header)));
  plain.forEach((texts, i) => lines.push(render(texts, rows[i])));
  return lines;
}
