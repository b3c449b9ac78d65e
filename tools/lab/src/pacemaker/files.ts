// The files one lab Pacemaker node runs from: corosync.conf (knet, crypto on, the shared
// authkey), the seed CIB (cibadmin --empty plus the cluster options the lab needs) and the
// launchers that put fence_haconn and ocf:haconn:monitor where Pacemaker looks for them.

export interface CorosyncNode {
  name: string;
  nodeid: number;
  /** The node's address on the cluster LAN. */
  ring0: string;
}

export interface CorosyncOptions {
  clusterName: string;
  nodes: CorosyncNode[];
  /** totem token timeout (ms). Default 1000 (the issue's 4.6 s failure-to-fence figure). */
  tokenMs?: number;
}

export function renderCorosyncConf(o: CorosyncOptions): string {
  const nodes = o.nodes
    .map((n) => `  node {\n    name: ${n.name}\n    nodeid: ${n.nodeid}\n    ring0_addr: ${n.ring0}\n  }`)
    .join("\n");
  return `# Written by the haconn lab (tools/lab/src/pacemaker). Addresses exist only in lab namespaces.
totem {
  version: 2
  cluster_name: ${o.clusterName}
  transport: knet
  crypto_cipher: aes256
  crypto_hash: sha256
  token: ${o.tokenMs ?? 1000}
}
nodelist {
${nodes}
}
quorum {
  provider: corosync_votequorum
${o.nodes.length === 2 ? "  two_node: 1\n" : ""}}
logging {
  to_logfile: yes
  logfile: /var/log/corosync/corosync.log
  to_stderr: no
  to_syslog: no
  timestamp: hires
}
`;
}

const esc = (v: string): string =>
  v.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** `<nvpair>` lines of one attribute set. */
export function nvpairs(prefix: string, values: Record<string, string>): string {
  return Object.entries(values)
    .map(([k, v]) => `<nvpair id="${esc(`${prefix}-${k}`)}" name="${esc(k)}" value="${esc(v)}"/>`)
    .join("");
}

export interface CibOptions {
  /** cluster options (crm_config), e.g. dc-deadtime. */
  properties: Record<string, string>;
  /** Raw XML inside <resources>. */
  resources?: string;
  /** Raw XML inside <constraints>. */
  constraints?: string;
  /** Raw XML of <fencing-topology>, if any. */
  fencingTopology?: string;
}

/** The seed CIB: `cibadmin --empty`'s document with the lab's options and resources. */
export function renderCib(empty: string, o: CibOptions): string {
  const props = `<crm_config><cluster_property_set id="cib-bootstrap-options">${nvpairs(
    "opt",
    o.properties,
  )}</cluster_property_set></crm_config>`;
  let cib = empty.replace(/<crm_config\/>/, props);
  cib = cib.replace(/<resources\/>/, `<resources>${o.resources ?? ""}</resources>`);
  cib = cib.replace(
    /<constraints\/>/,
    `<constraints>${o.constraints ?? ""}</constraints>${o.fencingTopology ?? ""}`,
  );
  if (!cib.includes("cib-bootstrap-options")) throw new Error(`unexpected cibadmin --empty output: ${empty}`);
  return cib;
}

/** A stonith primitive. */
export function stonithPrimitive(
  id: string,
  agent: string,
  params: Record<string, string>,
  monitorInterval = "0",
): string {
  const op =
    monitorInterval === "0"
      ? ""
      : `<operations><op id="${id}-monitor" name="monitor" interval="${monitorInterval}"/></operations>`;
  return `<primitive id="${esc(id)}" class="stonith" type="${esc(agent)}"><instance_attributes id="${esc(
    id,
  )}-ia">${nvpairs(id, params)}</instance_attributes>${op}</primitive>`;
}

/** An OCF primitive, optionally cloned. */
export function ocfPrimitive(
  id: string,
  provider: string,
  type: string,
  params: Record<string, string>,
  ops: { name: string; interval: string; timeout: string }[],
  clone = false,
): string {
  const opXml = ops
    .map(
      (o) =>
        `<op id="${esc(`${id}-${o.name}-${o.interval}`)}" name="${o.name}" interval="${o.interval}" timeout="${o.timeout}"/>`,
    )
    .join("");
  const prim = `<primitive id="${esc(id)}" class="ocf" provider="${esc(provider)}" type="${esc(
    type,
  )}"><instance_attributes id="${esc(id)}-ia">${nvpairs(id, params)}</instance_attributes><operations>${opXml}</operations></primitive>`;
  return clone ? `<clone id="${esc(id)}-clone">${prim}</clone>` : prim;
}

/** A launcher script that runs a built program of the checkout with the checkout's Node. */
export function launcher(repo: string, app: string, entry: string): string {
  return `#!/bin/sh\n# haconn lab launcher (the RPM installs the program itself here)\nexec "${repo}bin/_launch" ${app} ${entry} "$@"\n`;
}
