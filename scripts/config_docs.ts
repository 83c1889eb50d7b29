/**
 * `deno task docs:config`: rewrites the variable tables of docs/configuration.md from the
 * declarations, between the `variables:start` and `variables:end` markers, then formats the file.
 */
import { renderSections, variableSections } from "../lib/config/variable_docs.ts";
import { SERVICE_SPECS } from "./service_specs.ts";

/** The configuration reference, relative to this file. */
export const CONFIGURATION_DOC = new URL("../docs/configuration.md", import.meta.url);
/** The markers around the generated tables. */
export const MARKERS = ["<!-- variables:start -->", "<!-- variables:end -->"] as const;

/** `doc` with the tables between the markers generated anew. */
export function withTables(doc: string): string {
  const [start, end] = MARKERS.map((marker) => doc.indexOf(marker));
  if (start === undefined || end === undefined || start < 0 || end < start) {
    throw new Error(`docs/configuration.md lacks the markers ${MARKERS.join(" and ")}`);
  }
  const tables = renderSections(variableSections(Object.values(SERVICE_SPECS)));
  return `${doc.slice(0, start + MARKERS[0].length)}\n\n${tables}\n\n${doc.slice(end)}`;
}

if (import.meta.main) {
  await Deno.writeTextFile(
    CONFIGURATION_DOC,
    withTables(await Deno.readTextFile(CONFIGURATION_DOC)),
  );
  const fmt = await new Deno.Command(Deno.execPath(), { args: ["fmt", CONFIGURATION_DOC.pathname] })
    .output();
  if (!fmt.success) throw new Error(new TextDecoder().decode(fmt.stderr));
}
