// The daemon's Prometheus endpoint: on each scrape, the pair role, sync state and the
// management servers' link states are read fresh before the registry is rendered.

import type { ConnectorRole } from "@haconn/protocol";
import type { MserverHealth } from "../mserver-watch.js";
import type { HaconnMetrics } from "./metrics.js";
import { type MetricsListen, MetricsServer } from "./metrics-server.js";

export interface DaemonMetricsSource {
  metrics: HaconnMetrics;
  role(): ConnectorRole;
  synchronised(): boolean;
  mservers(): Iterable<MserverHealth>;
}

export function serveDaemonMetrics(
  listen: MetricsListen & { allowAnyAddress?: boolean },
  source: DaemonMetricsSource,
  onError: (error: unknown) => void,
): Promise<MetricsServer> {
  const { metrics } = source;
  return MetricsServer.listen({
    ...listen,
    scrape: () => {
      metrics.setRole(source.role());
      metrics.setSynchronised(source.synchronised());
      for (const h of source.mservers()) {
        metrics.setLink("mserver_bmc", h.name, h.bmc);
        metrics.setLink("mserver_ipdu", h.name, h.ipdu);
      }
      return metrics.scrape();
    },
    contentType: metrics.contentType,
    onError,
  });
}
