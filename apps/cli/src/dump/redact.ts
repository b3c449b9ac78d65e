// What leaves the machine in a dump carries no secret: every password and the SNMP community
// are blanked, wherever they sit in the document.
const SECRET_KEYS = new Set(["password", "community"]);

export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) => [
      key,
      SECRET_KEYS.has(key.toLowerCase()) && v !== null ? "" : redactSecrets(v),
    ]),
  );
}
