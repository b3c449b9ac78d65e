// A small reader for systemd unit files: sections of key → values (a key may repeat), with
// comments and blank lines dropped. Enough to assert the decisions haconnd.service encodes.
export type UnitFile = Map<string, Map<string, string[]>>;

export function parseUnit(text: string): UnitFile {
  const unit: UnitFile = new Map();
  let section: Map<string, string[]> | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = new Map();
      unit.set(header[1]!, section);
      continue;
    }
    const eq = line.indexOf("=");
    if (!section || eq < 0) throw new Error(`not a unit file line: ${raw}`);
    const key = line.slice(0, eq).trim();
    const values = section.get(key) ?? [];
    values.push(line.slice(eq + 1).trim());
    section.set(key, values);
  }
  return unit;
}

/** The single value of a key (throws when absent or repeated). */
export function value(unit: UnitFile, section: string, key: string): string {
  const values = unit.get(section)?.get(key);
  if (values?.length !== 1)
    throw new Error(`[${section}] ${key}: expected one value, got ${values?.length ?? 0}`);
  return values[0]!;
}
