// haconnclient --help.
import { EXIT_TABLE } from "./exit-codes.js";

export const USAGE = `usage: haconnclient <command> --connector <ip>[:<port>] --subsystem <n> [options]

Speaks the haconn reset path (docs/protocol.md) as an HA monitor, fencing client or dump
notifier. Every frame is signed with the reset-path key.

commands:
  check        register once (CHECK) and print the connector's reply
                 --system <name> [--vm <name>] [--pair <subsystem>] [--interval <s>]
  reset        ask for the reset of a system of our cluster, wait for and print the result
                 --target <subsystem> --target-system <name> [--cluster-port <p>] [--fence]
                 (--cluster-port: our cluster's port when --bind has another one;
                 --fence: reset even a target the connector counts as already reset or
                 off, instead of its immediate DUMP / POFF: for fencing, protocol §4.3;
                 a connector older than the flag does not answer: exit 3)
  dump-notice  this system stopped and its dump runs: DUMP-NOTICE every 500 ms until the
               connector accepts it (or --timeout)      [--system <name>] [--cluster-port <p>]
  listen       register (CHECK every --interval s) and print every ATTENTION until stopped
                 --system <name> [--vm <name>] [--pair <subsystem>] [--interval <s>] [--count <n>]

options:
  --connector <ip>[:<port>]  the connector's reset-path address (the VIP) and port
  --port <port>              the connector's port, when --connector has none
  --subsystem <n>            our subsystem number, 1..4294967295 (senderId)
  --bind <ip>[:<port>]       our address and reset-path port (the cluster's port: RESET and
                             ATTENTION use it); default 0.0.0.0 and any free port
  --key-file <file>          the reset-path key (mode 0600, ours); default
                             /etc/opt/hitachi/haconn2/resetpath.key
  --no-key                   send unsigned frames (a connector in key mode drops them)
  --timeout <s>              bound of the wait: check 5, reset 120, dump-notice 60, listen none
  --json                     print JSON (one object per line)
  -h, --help
  -V, --version              print the version and the git commit it was built from

${EXIT_TABLE}
`;
