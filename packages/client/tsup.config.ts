import { library } from "../../tsup.shared";

export default library({ index: "src/index.ts", "test/index": "src/test/index.ts" });
