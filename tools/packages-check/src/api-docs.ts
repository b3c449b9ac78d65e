// docs/api/<pkg>.md: one page per package, rendered from API Extractor's doc model (.api.json),
// i.e. from the TSDoc comments in the sources: each export with its signature and summary, and
// the documented members of classes and interfaces. Regenerated with the API reports.

import {
  ApiDeclaredItem,
  type ApiItem,
  ApiItemKind,
  ApiModel,
  type ApiPackage,
} from "@microsoft/api-extractor-model";
import {
  type DocNode,
  DocNodeKind,
  type DocCodeSpan,
  type DocLinkTag,
  type DocPlainText,
  type DocSection,
} from "@microsoft/tsdoc";

function text(node: DocNode): string {
  switch (node.kind) {
    case DocNodeKind.PlainText:
      return (node as DocPlainText).text;
    case DocNodeKind.SoftBreak:
      return " ";
    case DocNodeKind.CodeSpan:
      return `\`${(node as DocCodeSpan).code}\``;
    case DocNodeKind.LinkTag: {
      const link = node as DocLinkTag;
      const target = link.codeDestination?.memberReferences
        .map((r) => r.memberIdentifier?.identifier)
        .join(".");
      return link.linkText ?? (target ? `\`${target}\`` : (link.urlDestination ?? ""));
    }
    default:
      return node.getChildNodes().map(text).join("");
  }
}

function summary(item: ApiItem): string {
  const section: DocSection | undefined = (item as ApiDeclaredItem).tsdocComment?.summarySection;
  return section ? text(section).replace(/\s+/g, " ").trim() : "";
}

const KIND: Partial<Record<ApiItemKind, string>> = {
  [ApiItemKind.Class]: "class",
  [ApiItemKind.Interface]: "interface",
  [ApiItemKind.Function]: "function",
  [ApiItemKind.TypeAlias]: "type",
  [ApiItemKind.Variable]: "const",
  [ApiItemKind.Enum]: "enum",
  [ApiItemKind.Namespace]: "namespace",
};

/** The page of one package from its doc model file. */
export function renderPackagePage(apiJsonPath: string, readmeLink: string): string {
  const pkg: ApiPackage = new ApiModel().loadPackage(apiJsonPath);
  const out = [
    `# ${pkg.name} API reference`,
    "",
    `Generated from the doc comments (TSDoc) of the sources by the API report test; do not edit.`,
    `Guide and example: [README](${readmeLink}). Reviewed surface: \`api/*.api.md\` next to the README.`,
    "",
  ];
  const members = [...(pkg.entryPoints[0]?.members ?? [])].sort((a, b) =>
    a.displayName.localeCompare(b.displayName),
  );
  out.push("| export | kind | summary |", "| --- | --- | --- |");
  for (const m of members) {
    const first = /^.*?[.:](\s|$)/.exec(summary(m))?.[0].trim() ?? summary(m);
    const cell = (first.length > 160 ? `${first.slice(0, 157)}...` : first).replace(/\|/g, "\\|");
    out.push(
      `| [\`${m.displayName}\`](#${m.displayName.toLowerCase()}) | ${KIND[m.kind] ?? m.kind} | ${cell} |`,
    );
  }
  out.push("");
  for (const m of members) {
    out.push(`## ${m.displayName}`, "");
    const s = summary(m);
    if (s) out.push(s, "");
    if (m instanceof ApiDeclaredItem) out.push("```ts", m.excerpt.text.trim(), "```", "");
    const documented = m.members.filter((c) => summary(c) !== "");
    if (documented.length > 0 && (m.kind === ApiItemKind.Class || m.kind === ApiItemKind.Interface)) {
      for (const c of documented) out.push(`- \`${c.displayName}\`: ${summary(c)}`);
      out.push("");
    }
  }
  return `${out.join("\n").trimEnd()}\n`;
}
