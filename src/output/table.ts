import { displayWidth, oneLine, shorten } from "./text.js";
import { compactRelativeTime, isoTime, relativeTime } from "./time.js";

/** An ERROR column is a reminder, not the message: `inspect` shows it whole. */
export const ERROR_WIDTH = 60;

export interface Column<Row> {
  header: string;
  /** The plain text of the cell; colour is added by `style`, after widths are known. */
  value(row: Row): string;
  /** A shorter text for the cell (`3m ago`, an ID's first 8 characters), used when the table is too wide. */
  compact?: (row: Row) => string;
  /** Colours the cell's text (e.g. status colours); must not change its visible width. */
  style?: (text: string, row: Row) => string;
  /** The column that gives up width first when the table is wider than `maxWidth` (at most one). */
  shrink?: boolean;
  /**
   * When even shrunk and compacted the table is too wide: columns with a `drop` rank are
   * left out, lowest rank first. A column without one (an ID) always stays, whole.
   */
  drop?: number;
}

export interface TableOptions {
  /** Terminal width; undefined on a non-TTY, where nothing is shortened to fit. */
  maxWidth?: number;
  /** Print the header row (default true). */
  header?: boolean;
  /** The narrowest a shrinking column gets before it is dropped instead. */
  minShrinkWidth?: number;
}

const GAP = "  ";

/**
 * A borderless, aligned table in the manner of `kubectl get` / `gh run list`: two spaces
 * between columns, no trailing blanks, plain text unless a column styles its cells. Used
 * instead of cli-table3 because fitting columns to the terminal is all we need and this
 * keeps the module graph of `builds ls` small.
 *
 * On a terminal a row never wraps (the contract, down to 40 columns). Until the table
 * fits: cells take their compact text (CREATED `3m ago`, IDs of 8 characters), so that
 * nothing is lost yet; then the shrinking column (ERROR) gives up width down to its
 * minimum, then it goes; then columns are dropped by rank.
 */
export function formatTable<Row>(columns: Column<Row>[], rows: Row[], opts: TableOptions = {}): string[] {
  const showHeader = opts.header ?? true;
  // Cells of a table are one line each, whatever the data held.
  let cells = rows.map((row) => columns.map((c) => oneLine(c.value(row))));
  let shown = columns.map((_, i) => i);
  const widthOf = (i: number) => Math.max(showHeader ? displayWidth(columns[i]!.header) : 0, ...cells.map((r) => displayWidth(r[i]!)));
  let widths = columns.map((_, i) => widthOf(i));
  const excess = () => shown.reduce((sum, i) => sum + widths[i]!, 0) + GAP.length * (shown.length - 1) - (opts.maxWidth ?? Infinity);
  const dropColumn = (i: number) => (shown = shown.filter((j) => j !== i));

  if (excess() > 0 && columns.some((c) => c.compact)) {
    cells = rows.map((row, r) => columns.map((c, i) => (c.compact ? oneLine(c.compact(row)) : cells[r]![i]!)));
    widths = columns.map((_, i) => widthOf(i));
  }
  const shrinkAt = columns.findIndex((c) => c.shrink);
  if (excess() > 0 && shrinkAt >= 0) {
    const floor = Math.min(widths[shrinkAt]!, Math.max(opts.minShrinkWidth ?? 10, displayWidth(columns[shrinkAt]!.header)));
    widths[shrinkAt] = Math.max(floor, widths[shrinkAt]! - excess());
    for (const r of cells) r[shrinkAt] = shorten(r[shrinkAt]!, widths[shrinkAt]);
    if (excess() > 0 && columns[shrinkAt]!.drop !== undefined) dropColumn(shrinkAt);
  }
  const ranked = shown.filter((i) => columns[i]!.drop !== undefined).sort((a, b) => columns[a]!.drop! - columns[b]!.drop!);
  for (const i of ranked) {
    if (excess() <= 0) break;
    dropColumn(i);
  }

  const lines: string[] = [];
  const render = (texts: string[], row?: Row) => {
    const last = shown[shown.length - 1];
    const parts = shown.map((i) => {
      const text = texts[i]!;
      const pad = i === last ? "" : " ".repeat(Math.max(0, widths[i]! - displayWidth(text)));
      const style = columns[i]!.style;
      // Escape codes wrap the text only, so padding stays plain and widths stay true.
      return (row !== undefined && style && text ? style(text, row) : text) + pad;
    });
    return parts.join(GAP).trimEnd();
  };
  if (showHeader) lines.push(render(columns.map((c) => c.header)));
  cells.forEach((texts, i) => lines.push(render(texts, rows[i])));
  return lines;
}

/**
 * CREATED: relative on a terminal ("3 minutes ago", compact "3m ago"); off a terminal an
 * absolute ISO 8601 time in UTC, as gh prints, so a saved or piped table stays true.
 */
export function createdColumn<Row>(io: { columns: number | undefined }, now: number, createdAt: (row: Row) => string): Column<Row> {
  if (io.columns === undefined) return { header: "CREATED", value: (row) => isoTime(createdAt(row)) };
  return {
    header: "CREATED",
    value: (row) => relativeTime(createdAt(row), now),
    compact: (row) => compactRelativeTime(createdAt(row), now),
    drop: 1,
  };
}
