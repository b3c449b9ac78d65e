// JSON Schema of the stored configuration (HaconnConfig, types.ts). Ranges and character sets are
// the manual's (manual-digest §5.3-5.5); rules between fields live in rules.ts.
import { IPV4_PATTERN } from "./ipv4.js";
import { MAX_MONITOR_ADDRS, SCHEMA_VERSION } from "./types.js";

/** 1-31 (or 1-30) alphanumerics: system names, host names, SNMP community. */
export const NAME_PATTERN = "^[A-Za-z0-9]+$";
/** The manual's (*1) character set for BMC/ESXi accounts and passwords. */
export const ACCOUNT_PATTERN = "^[\\x21\\x25\\x26\\x28-\\x3A\\x3C-\\x5B\\x5D-\\x7E]+$";
export const HOST_KEY_PATTERN = "^SHA256:[A-Za-z0-9+/]{43}=?$";
export const PROFILE_PATTERN = "^[A-Za-z0-9._-]{1,64}$";

const ipv4 = { type: "string", pattern: IPV4_PATTERN };
const port = { type: "integer", minimum: 1, maximum: 65535 };
const servicePort = { type: "integer", minimum: 5001, maximum: 65535 };
const name = { type: "string", minLength: 1, maxLength: 31, pattern: NAME_PATTERN };
const seconds = { anyOf: [{ type: "null" }, { type: "integer", minimum: 5, maximum: 60 }] };
const nullable = (schema: object) => ({ anyOf: [{ type: "null" }, schema] });
const charset = (min: number, max: number) => ({
  type: "string",
  minLength: min,
  maxLength: max,
  pattern: ACCOUNT_PATTERN,
});
const strict = (properties: Record<string, object>, optional: Record<string, object> = {}) => ({
  type: "object",
  additionalProperties: false,
  required: Object.keys(properties),
  properties: { ...properties, ...optional },
});

const bmc = strict({
  addr: ipv4,
  port,
  account: charset(1, 16),
  password: charset(8, 20),
  cipher: { type: "integer", minimum: 0, maximum: 17 },
});

const outletLinks = (max: number) => ({
  type: "array",
  maxItems: max,
  items: strict({
    pdu: { type: "string", minLength: 1 },
    outlet: { type: "integer", minimum: 1, maximum: 12 },
  }),
});

export const configSchema = strict(
  {
    schemaVersion: { const: SCHEMA_VERSION },
    resetpath: nullable(
      strict(
        {
          addr: ipv4,
          mask: ipv4,
          prefixLength: { type: "integer", minimum: 1, maximum: 32 },
          port: servicePort,
        },
        { insecure: { type: "boolean" } },
      ),
    ),
    mservers: {
      type: "array",
      maxItems: 2,
      items: strict({
        name,
        bmc,
        ipdusd: { type: "boolean" },
        timeoutSec: seconds,
        mlan: nullable(strict({ addr: ipv4, port: servicePort })),
        outlets: outletLinks(2),
      }),
    },
    pservers: {
      type: "array",
      maxItems: 32,
      items: strict(
        {
          name,
          bmc,
          cluster: { type: "boolean" },
          ipdusd: { type: "boolean" },
          timeoutSec: seconds,
          recoveryTimeSec: {
            anyOf: [{ type: "null" }, { const: 0 }, { type: "integer", minimum: 5, maximum: 60 }],
          },
          vserver: nullable(
            strict({
              addr: nullable(ipv4),
              port: nullable(port),
              account: nullable(charset(1, 39)),
              password: nullable(charset(1, 38)),
              enabled: { type: "boolean" },
              hostKey: nullable({ type: "string", pattern: HOST_KEY_PATTERN }),
            }),
          ),
          outlets: outletLinks(4),
        },
        {
          monitorAddrs: { type: "array", maxItems: MAX_MONITOR_ADDRS, uniqueItems: true, items: ipv4 },
        },
      ),
    },
    pdus: {
      type: "array",
      maxItems: 132,
      items: strict({
        key: { type: "string", minLength: 1 },
        addr: ipv4,
        port,
        model: { const: "IBM_PDU" },
        profile: nullable({ type: "string", pattern: PROFILE_PATTERN }),
      }),
    },
    snmp: nullable(
      strict({ community: { type: "string", minLength: 1, maxLength: 30, pattern: NAME_PATTERN } }),
    ),
    hispeed: strict({
      enabled: { type: "boolean" },
      resetTimeMs: nullable({ type: "integer", minimum: 1000, maximum: 5000, multipleOf: 100 }),
    }),
  },
  { kdump: nullable(strict({ port })) },
);
