import { application } from "../../tsup.shared";

export default application({
  haconnsetup: "src/bin/haconnsetup.ts",
  haconnshow: "src/bin/haconnshow.ts",
});
