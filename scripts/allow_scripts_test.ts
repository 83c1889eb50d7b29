import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);

/**
 * Deno runs no npm lifecycle script unless deno.json allows it, and warns about each one it skips
 * on the first install ("Ignored build scripts", a yellow box at a new user's first
 * `deno task dev`). Every such package is decided in deno.json's `allowScripts` instead.
 */
Deno.test("deno.json decides the build scripts of every npm package in deno.lock that has them", async () => {
  const lock = JSON.parse(await Deno.readTextFile(new URL("deno.lock", ROOT)));
  const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT)));
  const withScripts = Object.entries(lock.npm as Record<string, { scripts?: boolean }>)
    .filter(([, info]) => info.scripts === true)
    .map(([id]) => `npm:${id.slice(0, id.indexOf("@", 1))}`);
  const decided = [...config.allowScripts?.allow ?? [], ...config.allowScripts?.deny ?? []];
  assert.deepEqual(
    withScripts.filter((name) => !decided.includes(name)),
    [],
    "add these to deno.json's allowScripts (deny, unless the package needs its script to work)",
  );
  assert.ok(withScripts.length > 0, "deno.lock records build scripts (protobufjs has one)");
});
