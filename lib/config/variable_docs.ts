/**
 * The variable tables of docs/configuration.md, generated from the services' declarations: one
 * section per group of variables, in the order the services list them. `readSections` parses them
 * back out of the doc so a test can compare the two cell by cell (whatever `deno fmt` did to the
 * spacing).
 */
import type { ServiceSpec } from "./service_config.ts";
import type { Variable } from "./variables.ts";

/** One docs section: a heading and its table rows (variable, default, meaning). */
export interface VariableSection {
  readonly heading: string;
  readonly rows: readonly (readonly [string, string, string])[];
}

/** The sections for `specs`, a group shared by several services shown once. */
export function variableSections(specs: readonly ServiceSpec[]): VariableSection[] {
  const titles = [...new Set(specs.flatMap((spec) => spec.groups.map((group) => group.title)))];
  return titles.map((title) => {
    const users = specs.filter((spec) => spec.groups.some((group) => group.title === title));
    const own = users.length === 1 && users[0]!.service === title;
    const everyone = users.length === specs.length;
    const heading = own || everyone
      ? title
      : `${title} (${users.map((s) => s.service).join(", ")})`;
    const variables = users[0]!.groups.find((group) => group.title === title)!.variables;
    const rows = variables.map((variable) =>
      [
        `\`${variable.name}\``,
        defaultCell(variable, users),
        variable.meaning,
      ] as const
    );
    return { heading, rows };
  });
}

function defaultCell(variable: Variable<unknown>, users: readonly ServiceSpec[]): string {
  const byService = users.map((spec) => ({
    service: spec.service,
    value: spec.groups.flatMap((group) => group.variables)
      .find((v) => v.name === variable.name)?.default,
  }));
  const values = new Set(byService.map((entry) => entry.value));
  if (values.size === 1) {
    return variable.default === undefined ? "unset" : `\`${variable.default}\``;
  }
  if (byService.every((entry) => entry.value === entry.service)) return "the service's name";
  return `per service: ${
    byService.map((e) => `${e.service} \`${e.value ?? "unset"}\``).join(", ")
  }`;
}

/** Markdown for `sections`, each a `###` heading and a table. */
export function renderSections(sections: readonly VariableSection[]): string {
  return sections.map((section) =>
    [
      `### ${section.heading}`,
      "",
      "| variable | default | meaning |",
      "| --- | --- | --- |",
      ...section.rows.map((row) => `| ${row.map(escapeCell).join(" | ")} |`),
    ].join("\n")
  ).join("\n\n");
}

/** The sections of a markdown text written by `renderSections` (and maybe reformatted). */
export function readSections(markdown: string): VariableSection[] {
  const sections: { heading: string; rows: [string, string, string][] }[] = [];
  for (const line of markdown.split("\n")) {
    if (line.startsWith("### ")) sections.push({ heading: line.slice(4).trim(), rows: [] });
    if (!line.startsWith("|") || /^\|\s*-/.test(line) || /^\|\s*variable\s*\|/.test(line)) continue;
    const cells = line.trim().slice(1, -1).split(/(?<!\\)\|/).map((cell) =>
      cell.trim().replaceAll("\\|", "|")
    );
    sections.at(-1)?.rows.push([cells[0] ?? "", cells[1] ?? "", cells[2] ?? ""]);
  }
  return sections;
}

function escapeCell(text: string): string {
  return text.replaceAll("|", "\\|");
}
