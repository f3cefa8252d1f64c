import { describe, expect, it } from "vitest";
import {
  csvLine,
  detectDelimiter,
  neutralise,
  parseCsv,
  toCsv,
  unneutralise,
} from "../../../db/transfer/csv.ts";

const cellsOf = (text: string) => parseCsv(text).records.map((r) => r.cells);

describe("CSV", () => {
  it("writes a BOM, CRLF, and quotes only what needs it", () => {
    expect(
      toCsv([
        ["a", "b c", 1],
        ['say "hi"', "x,y", "two\nlines"],
      ]),
    ).toBe('\uFEFFa,b c,1\r\n"say ""hi""","x,y","two\nlines"\r\n');
    expect(csvLine(["x;y", "x,y"], ";")).toBe('"x;y";x,y');
    expect(csvLine([null, undefined, ""])).toBe(",,");
  });

  it("neutralises formulas in text cells, not in numbers, and reads them back", () => {
    expect(["=SUM(A1)", "+7 916", "-x", "@cmd", "\tx", "plain"].map(neutralise)).toEqual([
      "'=SUM(A1)",
      "'+7 916",
      "'-x",
      "'@cmd",
      "'\tx",
      "plain",
    ]);
    expect(neutralise(-5)).toBe("-5");
    expect(unneutralise("'=SUM(A1)")).toBe("=SUM(A1)");
    expect(unneutralise("'quoted")).toBe("'quoted");
    expect(csvLine(["=1+1"])).toBe("'=1+1");
  });

  it("reads quotes, doubled quotes, CRLF, LF, CR and line breaks inside quoted cells", () => {
    expect(cellsOf('a,"b ""q"" c","d\r\ne"\r\n1,2,3\n4,5,6\r7,8,9')).toEqual([
      ["a", 'b "q" c', "d\r\ne"],
      ["1", "2", "3"],
      ["4", "5", "6"],
      ["7", "8", "9"],
    ]);
    expect(cellsOf('"",x,\r\n')).toEqual([["", "x", ""]]);
  });

  it("skips a BOM and blank lines, and counts lines across quoted line breaks", () => {
    const parsed = parseCsv('\uFEFFname,note\r\n\r\nAnna,"one\ntwo"\r\nBoris,x\r\n');
    expect(parsed.records).toEqual([
      { line: 1, cells: ["name", "note"] },
      { line: 3, cells: ["Anna", "one\ntwo"] },
      { line: 5, cells: ["Boris", "x"] },
    ]);
  });

  it("detects ; or , from the header, ignoring quoted ones", () => {
    expect(detectDelimiter("a;b;c\n1,2;3")).toBe(";");
    expect(detectDelimiter('"a;b;c",d\n')).toBe(",");
    expect(detectDelimiter("single")).toBe(",");
    expect(cellsOf("phone;email\n+7916;a@b.c")).toEqual([
      ["phone", "email"],
      ["+7916", "a@b.c"],
    ]);
  });

  it("names the line of a stray quote, text after a closing quote and an unclosed quote", () => {
    expect(parseCsv('a,b\nx,y"z\n"ok",1').problems).toEqual([
      { line: 2, message: 'a quote (") inside a cell that does not start with one' },
    ]);
    expect(parseCsv('a\n"x"y\n').problems).toEqual([
      { line: 2, message: "text after a closing quote: quote the whole cell" },
    ]);
    expect(parseCsv('a\n1\n"open\nstill').problems).toEqual([
      { line: 3, message: "a quoted cell is never closed" },
    ]);
  });
});
