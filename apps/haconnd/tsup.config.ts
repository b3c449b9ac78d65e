import { application } from "../../tsup.shared";

export default application({ haconnd: "src/bin/haconnd.ts" });
