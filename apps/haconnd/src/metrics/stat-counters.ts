// Counters read from a driver's totals at every scrape (no timer): one Counter per field.
import { Counter, type Registry } from "prom-client";

/** Registers one counter per field of `fields`; `read` gives the current totals. */
export function registerStatCounters<S extends object>(
  registry: Registry,
  fields: Record<keyof S & string, [name: string, help: string]>,
  read: () => S,
  prefix: string,
): void {
  for (const [key, [name, help]] of Object.entries(fields) as [keyof S & string, [string, string]][]) {
    new Counter({
      name: `${prefix}${name}`,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(Number(read()[key]));
      },
    });
  }
}
