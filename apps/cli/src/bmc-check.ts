// The iLO check of `mserver add/mod` (manual §5.2): one `chassis power status` through the BMC
// driver. The driver is loaded lazily so the CLI runs (and tests run) without it; `check=off`
// never loads it.
import type { BmcSettings, PowerController } from "@haconn/config";
import { CliError } from "./errors.js";
import type { BmcChecker } from "./io.js";

type ControllerClass = new (
  settings: BmcSettings,
  options?: { timeoutMs?: number; retries?: number },
) => PowerController;

const CHECK_TIMEOUT_MS = 10_000;

async function loadDriver(): Promise<ControllerClass> {
  const specifier = "@haconn/bmc"; // a variable: resolved at run time, not bundled or type-checked
  try {
    const driver = (await import(/* @vite-ignore */ specifier)) as { IpmitoolController?: ControllerClass };
    if (driver.IpmitoolController) return driver.IpmitoolController;
  } catch (error) {
    throw new CliError(
      "CLI_BMC_CHECK",
      "cannot check the iLO: the BMC driver is not installed; check=off skips the check",
      {
        cause: error,
      },
    );
  }
  throw new CliError("CLI_BMC_CHECK", "cannot check the iLO: the BMC driver has no IpmitoolController");
}

export const checkBmcWithIpmitool: BmcChecker = async (settings) => {
  const Controller = await loadDriver();
  const controller = new Controller(settings, { timeoutMs: CHECK_TIMEOUT_MS, retries: 1 });
  try {
    await controller.status();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CliError(
      "CLI_BMC_CHECK",
      `addr: the iLO at ${settings.addr}:${settings.port} did not answer "chassis power status" (${reason}); ` +
        "check addr, account, password and cipher, or give check=off to save without checking",
      { cause: error },
    );
  } finally {
    await controller.close?.();
  }
};
