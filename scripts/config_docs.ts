/**
 * `deno task docs:config`: rewrites the README's variable tables from the declarations, between
 * the `variables:start` and `variables:end` markers, then formats the README.
 */
import { renderSections, variableSections } from "../lib/config/variable_docs.ts";
import { SERVICE_SPECS } from "./service_specs.ts";

/** The README, relative to this file. */
export const README = new URL("../README.md", import.meta.url);
/** The markers around the generated tables. */
export const MARKERS = ["<!-- variables:start -->", "<!-- variables:end -->"] as const;

/** `readme` with the tables between the markers generated anew. */
export function withTables(readme: string): string {
  const [start, end] = MARKERS.map((marker) => readme.indexOf(marker));
  if (start === undefined || end === undefined || start < 0 || end < start) {
    throw new Error(`README.md lacks the markers ${MARKERS.join(" and ")}`);
  }
  const tables = renderSections(variableSections(Object.values(SERVICE_SPECS)));
  return `${readme.slice(0, start + MARKERS[0].length)}\n\n${tables}\n\n${readme.slice(end)}`;
}

if (import.meta.main) {
  await Deno.writeTextFile(README, withTables(await Deno.readTextFile(README)));
  const fmt = await new Deno.Command(Deno.execPath(), { args: ["fmt", README.pathname] }).output();
  if (!fmt.success) throw new Error(new TextDecoder().decode(fmt.stderr));
}
