import { describe, expect, it } from "vitest";
import { formatTable, type Column } from "../../../src/output/table.js";

interface Row {
  id: string;
  status: string;
  error: string;
}

const rows: Row[] = [
  { id: "a1b2", status: "done", error: "" },
  { id: "c3d4e5", status: "failed", error: "go build exited with status 2" },
];

const columns = (extra: Partial<Column<Row>> = {}): Column<Row>[] => [
  { header: "ID", value: (r) => r.id },
  { header: "STATUS", value: (r) => r.status, ...extra },
  { header: "ERROR", value: (r) => r.error, shrink: true },
];

describe("formatTable", () => {
  it("aligns columns with two spaces, no borders, no trailing blanks", () => {
    expect(formatTable(columns(), rows)).toEqual(["ID      STATUS  ERROR", "a1b2    done", "c3d4e5  failed  go build exited with status 2"]);
  });

  it("can leave out the header", () => {
    expect(formatTable(columns(), rows, { header: false })).toEqual(["a1b2    done", "c3d4e5  failed  go build exited with status 2"]);
  });

  it("shrinks the shrinking column to fit the width, marking the cut", () => {
    const lines = formatTable(columns(), rows, { maxWidth: 30 });
    expect(lines[2]).toBe("c3d4e5  failed  go build exit…");
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(30);
  });

  it("does not shrink below the minimum: a very narrow terminal overflows instead", () => {
    const lines = formatTable(columns(), rows, { maxWidth: 10, minShrinkWidth: 8 });
    expect(lines[2]).toBe("c3d4e5  failed  go buil…");
  });

  it("fits without change when the table is narrow enough", () => {
    expect(formatTable(columns(), rows, { maxWidth: 200 })).toEqual(formatTable(columns(), rows));
  });

  it("styles cell text after measuring, so colour does not break alignment", () => {
    const lines = formatTable(columns({ style: (t) => `<${t}>` }), rows);
    expect(lines).toEqual(["ID      STATUS  ERROR", "a1b2    <done>", "c3d4e5  <failed>  go build exited with status 2"]);
  });

  it("keeps each row on one line when a cell holds line breaks", () => {
    const lines = formatTable(columns(), [{ id: "x", status: "failed", error: "line one\nline two" }]);
    expect(lines).toEqual(["ID  STATUS  ERROR", "x   failed  line one line two"]);
  });

  it("drops control characters from cells, so a server cannot drive the terminal", () => {
    const lines = formatTable(columns(), [{ id: "x", status: "done", error: "\u001b[2J\u001b[Hboom\tbang" }]);
    expect(lines[1]).toBe("x   done    [2J[Hboom bang");
  });

  it("an empty table is just the header", () => {
    expect(formatTable(columns(), [])).toEqual(["ID  STATUS  ERROR"]);
  });

  it("to fit: cells compact first, then the shrinking column is cut and goes, then columns drop by rank", () => {
    const ranked: Column<Row>[] = [
      { header: "ID", value: (r) => r.id, compact: (r) => r.id.slice(0, 2) },
      { header: "STATUS", value: (r) => r.status, drop: 2 },
      { header: "ERROR", value: (r) => r.error, shrink: true, drop: 1 },
    ];
    // Compact IDs leave room for more of the error.
    expect(formatTable(ranked, rows, { maxWidth: 30 })[2]).toBe("c3  failed  go build exited w…");
    expect(formatTable(ranked, rows, { maxWidth: 16 })).toEqual(["ID  STATUS", "a1  done", "c3  failed"]);
    expect(formatTable(ranked, rows, { maxWidth: 5 })).toEqual(["ID", "a1", "c3"]);
    // A column without a rank (the ID) stays even then.
    expect(formatTable(ranked, rows, { maxWidth: 1 })).toEqual(["ID", "a1", "c3"]);
  });
});
