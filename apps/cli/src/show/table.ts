// Column layout of the manual's display examples: each column as wide as its widest cell plus
// two spaces, the last column unpadded, no trailing blanks.
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]! + 2)))
      .join("")
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

export const onOff = (value: boolean) => (value ? "on" : "off");
