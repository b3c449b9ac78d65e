// dgram resolves the destination of every send through `lookup`, by default dns.lookup, which
// answers even an IPv4 literal on process.nextTick: N sends made in one engine step leave only
// after all N are encoded. The reset path sends only to IPv4 literals (the configuration and
// the senders' addresses); answering those at once makes each datagram leave as soon as it is
// encoded: the first of 15 ATTENTIONs to a cluster no longer waits for the other 14.
import { lookup as dnsLookup } from "node:dns";
import { isIPv4 } from "node:net";

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string, family: number) => void;

/** A dgram `lookup`: IPv4 literals synchronously, anything else through dns.lookup. */
export function literalLookup(hostname: string, options: unknown, callback: LookupCallback): void {
  if (isIPv4(hostname)) {
    callback(null, hostname, 4);
    return;
  }
  const family = typeof options === "number" ? options : 4;
  dnsLookup(hostname, { family }, callback);
}
