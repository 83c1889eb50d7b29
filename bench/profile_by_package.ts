/**
 * Sums the self time of a V8 CPU profile (`deno run --cpu-prof`) by package: each npm package,
 * each folder of this repository (`lib/telemetry`, `user`, ...), Deno's runtime, garbage
 * collection. With `--requests=N` it also prints microseconds per request.
 *
 *   deno run --allow-read bench/profile_by_package.ts PROFILE.cpuprofile [--requests=N] [--top=K]
 */

/** The parts of a `.cpuprofile` this script reads. */
interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string } }[];
  samples: number[];
  timeDeltas: number[];
}

/** Self time in microseconds by package, largest first, idle time left out. */
export function selfTimeByPackage(profile: CpuProfile): [string, number][] {
  const packageOf = new Map<number, string>();
  for (const node of profile.nodes) packageOf.set(node.id, packageName(node.callFrame));
  const totals = new Map<string, number>();
  profile.samples.forEach((id, index) => {
    // timeDeltas[i] is the time before sample i; it is charged to the sample it leads to.
    const name = packageOf.get(id) ?? "(unknown)";
    totals.set(name, (totals.get(name) ?? 0) + (profile.timeDeltas[index] ?? 0));
  });
  totals.delete("(idle)");
  return [...totals].sort((a, b) => b[1] - a[1]);
}

/**
 * Sums the profiles in `dir` by package and describes the result per `units` (requests, spans)
 * in one line, for the benchmark's notes.
 */
export async function describeProfiles(
  dir: string,
  units: number,
  unitName: string,
): Promise<string> {
  const totals = new Map<string, number>();
  for await (const entry of Deno.readDir(dir)) {
    const profile = JSON.parse(await Deno.readTextFile(`${dir}/${entry.name}`)) as CpuProfile;
    for (const [name, us] of selfTimeByPackage(profile)) {
      totals.set(name, (totals.get(name) ?? 0) + us);
    }
  }
  const rows = [...totals].sort((a, b) => b[1] - a[1]);
  const total = rows.reduce((sum, [, us]) => sum + us, 0) / units;
  const top = rows.slice(0, 12).map(([name, us]) => `${name} ${(us / units).toFixed(2)}`);
  return `${total.toFixed(1)} µs/${unitName} busy; by package (µs/${unitName}): ${top.join(", ")}`;
}

/** `deno run` flags that write a CPU profile into `dir` at exit; none without a `dir`. */
export function profileFlags(dir: string | undefined): string[] {
  return dir === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${dir}`];
}

/** The package or repository folder a stack frame belongs to. */
export function packageName(frame: { functionName: string; url: string }): string {
  const { url, functionName } = frame;
  if (url === "") {
    if (functionName === "(garbage collector)") return "garbage collection";
    if (functionName === "(idle)" || functionName === "(program)") return functionName;
    return "(native)";
  }
  const npm = url.match(/registry\.npmjs\.org\/((?:@[^/]+\/)?[^/]+)\//) ??
    url.match(/npm:\/?((?:@[^/]+\/)?[^@/]+)/);
  if (npm) return npm[1]!;
  if (url.startsWith("ext:") || url.startsWith("node:")) return "deno runtime";
  const local = url.match(
    /\/((?:lib|tracing|bench)\/[^/]+?|user|order|producer|consumer)(?:\.ts)?(?:\/|$)/,
  );
  if (local) return local[1]!;
  return url.replace(/^file:\/\//, "");
}

if (import.meta.main) {
  const [path, ...flags] = Deno.args;
  if (path === undefined) {
    throw new Error("Missing profile: expected a .cpuprofile path, then --requests=N, --top=K");
  }
  const option = (name: string) =>
    Number(flags.find((flag) => flag.startsWith(`--${name}=`))?.split("=")[1] ?? NaN);
  const requests = option("requests");
  const top = option("top") || 20;
  const rows = selfTimeByPackage(JSON.parse(await Deno.readTextFile(path)));
  const total = rows.reduce((sum, [, us]) => sum + us, 0);
  const lines = rows.slice(0, top).map(([name, us]) => {
    const share = `${((us / total) * 100).toFixed(1).padStart(5)}%`;
    const perRequest = Number.isFinite(requests)
      ? `${(us / requests).toFixed(2).padStart(8)} µs/req`
      : "";
    return `${name.padEnd(42)} ${share} ${perRequest}`;
  });
  const footer = Number.isFinite(requests) ? ` (${(total / requests).toFixed(2)} µs/req)` : "";
  await Deno.stdout.write(
    new TextEncoder().encode(
      `${lines.join("\n")}\nbusy total ${(total / 1000).toFixed(0)} ms${footer}\n`,
    ),
  );
}
