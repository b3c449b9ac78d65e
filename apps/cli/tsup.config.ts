import { application } from "../../tsup.shared";

export default application({
  haconnsetup: "src/bin/haconnsetup.ts",
  haconnshow: "src/bin/haconnshow.ts",
  haconnserver: "src/bin/haconnserver.ts",
  haconnact: "src/bin/haconnact.ts",
  haconnsby: "src/bin/haconnsby.ts",
  haconndump: "src/bin/haconndump.ts",
  haconnclient: "src/bin/haconnclient.ts",
  fence_haconn: "src/fence/main-fence.ts",
  "haconn-ocf-monitor": "src/fence/main-ocf-monitor.ts",
});
