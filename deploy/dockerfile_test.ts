/**
 * A light check of the Dockerfile without a Docker engine: its build arguments are declared, what it
 * copies exists and is not ignored, the paths agree with the compile script, compose.yaml and the
 * baked permission flags, and the image runs unprivileged with a health check.
 */
import assert from "node:assert/strict";
import { permissionFlags, readTasks, SERVICES } from "../scripts/compile.ts";

const ROOT = new URL("../", import.meta.url);
const dockerfile = await Deno.readTextFile(new URL("Dockerfile", ROOT));
const ignored = (await Deno.readTextFile(new URL(".dockerignore", ROOT))).split("\n")
  .map((line) => line.trim()).filter((line) => line !== "" && !line.startsWith("#"));

/** Instructions with continuation lines joined, comments dropped. */
const instructions = dockerfile.replace(/\\\n/g, " ").split("\n").map((line) => line.trim())
  .filter((line) => line !== "" && !line.startsWith("#"));
const stages = instructions.join("\n").split(/^(?=FROM )/m);

Deno.test("Dockerfile uses only build arguments it declares, with pinned image defaults", () => {
  const globalArgs = instructions.slice(0, instructions.findIndex((i) => i.startsWith("FROM ")));
  const declared = (lines: string[]) =>
    lines.filter((line) => line.startsWith("ARG ")).map((line) => line.slice(4).split("=")[0]);
  for (const stage of stages.slice(1)) {
    const lines = stage.split("\n");
    const inStage = [...declared(lines), ...declared(globalArgs)];
    for (const [, name] of stage.matchAll(/\$\{?(\w+)\}?/g)) {
      assert.ok(inStage.includes(name as string), `\${${name}} is not declared in: ${lines[0]}`);
    }
  }
  for (const line of globalArgs) {
    const image = line.match(/^ARG \w+_IMAGE=(\S+)$/)?.[1];
    if (image === undefined) continue;
    assert.match(image, /:[\w.-]*\d[\w.-]*$/, `${image} is pinned to a version`);
    assert.doesNotMatch(image, /:latest$/);
  }
  assert.match(dockerfile, new RegExp(`denoland/deno:${Deno.version.deno}\\b`), "same Deno");
});

Deno.test("Dockerfile copies only paths that exist and .dockerignore keeps", async () => {
  for (const line of instructions.filter((i) => i.startsWith("COPY ") && !i.includes("--from"))) {
    const sources = line.split(/\s+/).slice(1, -1);
    for (const source of sources) {
      assert.ok(await Deno.stat(new URL(source, ROOT)).catch(() => false), `COPY ${source}`);
    }
  }
  // `COPY . .` then needs these, which the build reads.
  const needed = ["deno.json", "deno.lock", "lib", "scripts", ...SERVICES];
  for (const path of needed) assert.ok(!ignored.includes(path), `.dockerignore drops ${path}`);
  for (const path of ["data", "dist", ".git"]) assert.ok(ignored.includes(path), path);
});

Deno.test("Dockerfile builds with the compile task and runs the binary where compose expects", async () => {
  const tasks = await readTasks();
  assert.ok(tasks.compile !== undefined);
  assert.match(dockerfile, /RUN deno task compile "\$\{SERVICE\}"/);
  // deno task compile writes dist/<service>; the binary's baked ./data is the WORKDIR's data/.
  assert.match(dockerfile, /COPY --from=build \/src\/dist\/\$\{SERVICE\} \/app\/service/);
  const runtime = stages.at(-1) ?? "";
  assert.match(runtime, /^WORKDIR \/app$/m);
  assert.match(runtime, /chown app:app \/app\/data/);
  assert.ok(permissionFlags(tasks, "user").includes("--allow-write=./data"));
  assert.match(runtime, /^USER app$/m);
  assert.match(runtime, /^HEALTHCHECK .*CMD \["\/app\/service", "--healthcheck"\]$/m);
  assert.match(runtime, /^ENTRYPOINT \["\/app\/service"\]$/m);
  for (const service of SERVICES) {
    assert.match(
      dockerfile,
      new RegExp(`SERVICE=[\\w|]*\\b${service}\\b`),
      `usage names ${service}`,
    );
  }
});
