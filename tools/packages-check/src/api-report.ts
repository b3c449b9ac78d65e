// API reports (@microsoft/api-extractor) of every published entry point: packages/<pkg>/api/
// <pkg>.api.md for ".", <pkg>-test.api.md for a published "./test". Checked in; the suite runs
// API Extractor in non-local mode (what CI does) and fails when the surface in dist/*.d.ts
// differs from the checked-in report. `HACONN_API_UPDATE=1` (local mode) rewrites the reports and
// regenerates docs/api/ (api-documenter markdown from the same doc model): the doc comments
// stay the source of truth.

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import {
  Extractor,
  ExtractorConfig,
  ExtractorLogLevel,
  type ExtractorResult,
} from "@microsoft/api-extractor";
import { publishedExports, type WorkspacePackage } from "./workspace.js";

export interface EntryPoint {
  pkg: WorkspacePackage;
  /** "." or "./test". */
  subpath: string;
  /** Report base name: `<dir>` or `<dir>-test`. */
  reportName: string;
  /** The declaration file API Extractor reads. */
  dts: string;
}

/** Every published entry point of the packages (publishConfig.exports when set). */
export function entryPoints(packages: readonly WorkspacePackage[]): EntryPoint[] {
  return packages.flatMap((pkg) =>
    Object.entries(publishedExports(pkg.manifest))
      .filter(([subpath]) => subpath !== "./package.json")
      .map(([subpath, target]) => ({
        pkg,
        subpath,
        reportName: subpath === "." ? pkg.dir : `${pkg.dir}-${subpath.slice(2).replace(/\//g, "-")}`,
        dts: join(pkg.path, (target as { types: string }).types),
      })),
  );
}

export interface ReportOutcome {
  entry: EntryPoint;
  succeeded: boolean;
  changed: boolean;
  errors: string[];
}

/**
 * Runs API Extractor on one entry point. `local` false: compares with the checked-in report
 * and leaves it alone; true: rewrites it. The doc model (.api.json) goes to `docModelDir`.
 */
export function runApiExtractor(
  entry: EntryPoint,
  options: { local: boolean; tempDir: string; docModelDir?: string },
): ReportOutcome {
  const reportFolder = join(entry.pkg.path, "api");
  if (options.local) mkdirSync(reportFolder, { recursive: true });
  const config = ExtractorConfig.prepare({
    configObject: {
      projectFolder: entry.pkg.path,
      mainEntryPointFilePath: entry.dts,
      compiler: {
        overrideTsconfig: {
          compilerOptions: {
            target: "ES2023",
            lib: ["ES2023"],
            module: "ESNext",
            moduleResolution: "Bundler",
            strict: true,
            skipLibCheck: true,
            types: ["node"],
          },
          files: [entry.dts],
        },
      },
      apiReport: {
        enabled: true,
        reportFileName: entry.reportName,
        reportFolder,
        reportTempFolder: join(options.tempDir, "report"),
      },
      docModel: {
        enabled: options.docModelDir !== undefined,
        apiJsonFilePath: join(options.docModelDir ?? options.tempDir, `${entry.reportName}.api.json`),
      },
      dtsRollup: { enabled: false },
      tsdocMetadata: { enabled: false },
      messages: {
        compilerMessageReporting: { default: { logLevel: ExtractorLogLevel.Warning } },
        extractorMessageReporting: {
          default: { logLevel: ExtractorLogLevel.Warning, addToApiReportFile: true },
          "ae-missing-release-tag": { logLevel: ExtractorLogLevel.None, addToApiReportFile: false },
        },
        tsdocMessageReporting: { default: { logLevel: ExtractorLogLevel.None, addToApiReportFile: false } },
      },
    },
    configObjectFullPath: undefined,
    packageJsonFullPath: join(entry.pkg.path, "package.json"),
  });
  const errors: string[] = [];
  const result: ExtractorResult = Extractor.invoke(config, {
    localBuild: options.local,
    showVerboseMessages: false,
    messageCallback: (message) => {
      if (message.logLevel === "error") errors.push(message.text);
      message.handled = true; // quiet: the test reports what matters
    },
  });
  return { entry, succeeded: result.succeeded, changed: result.apiReportChanged, errors };
}
