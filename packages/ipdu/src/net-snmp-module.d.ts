// The value of npm `net-snmp` (CommonJS, no bundled types), untyped on purpose: net-snmp.ts
// gives it its one typed face (`NetSnmp`), so no other view of the library can clash with it.
declare module "net-snmp" {
  const netSnmp: unknown;
  export default netSnmp;
}
