// --json output: the manual's display placeholders become null, so --json never mixes them.
/** The manual's display placeholders ("--", "---", "----"): in --json they are null. */
const PLACEHOLDER = /^-{2,4}$/;

/** haconnd's result with every display placeholder replaced by null (--json never mixes them). */
export function withNulls(value: unknown): unknown {
  if (typeof value === "string") return PLACEHOLDER.test(value) ? null : value;
  if (Array.isArray(value)) return value.map(withNulls);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withNulls(v)]));
  }
  return value;
}

/** Pretty JSON of a result, placeholders as null. */
export const jsonText = (value: unknown) => `${JSON.stringify(withNulls(value), null, 2)}\n`;
