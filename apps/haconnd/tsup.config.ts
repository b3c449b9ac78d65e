import { buildInfo } from "../../tools/rpm/build-info";
import { application } from "../../tsup.shared";

export default {
  ...application({ haconnd: "src/bin/haconnd.ts", "esxi-worker": "src/esxi-worker/worker.ts" }),
  define: { __HACONN_BUILD__: JSON.stringify(buildInfo()) },
};
