import { buildInfo } from "../../tools/rpm/build-info";
import { application } from "../../tsup.shared";

const config = application({
  haconnsetup: "src/bin/haconnsetup.ts",
  haconnshow: "src/bin/haconnshow.ts",
  haconnserver: "src/bin/haconnserver.ts",
  haconnact: "src/bin/haconnact.ts",
  haconnsby: "src/bin/haconnsby.ts",
  haconndump: "src/bin/haconndump.ts",
  haconnclient: "src/bin/haconnclient.ts",
  "gen-man": "src/man/gen-man.ts",
  fence_haconn: "src/fence/main-fence.ts",
  "haconn-ocf-monitor": "src/fence/main-ocf-monitor.ts",
});

export default { ...config, define: { __HACONN_BUILD__: JSON.stringify(buildInfo()) } };
