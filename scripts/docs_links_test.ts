import assert from "node:assert/strict";
import {
  anchorsOf,
  checkDocs,
  type DocFile,
  headingAnchor,
  type Repository,
} from "./docs_links.ts";

const ROOT = new URL("../", import.meta.url);
/** Folders that hold no documented source: VCS, build output, data, screenshots. */
const SKIPPED = new Set([".git", "data", "dist", "node_modules", "test_output"]);

function walk(folder: string, into: string[]): string[] {
  for (const entry of Deno.readDirSync(new URL(folder || ".", ROOT))) {
    if (SKIPPED.has(entry.name)) continue;
    const path = folder ? `${folder}/${entry.name}` : entry.name;
    if (entry.isDirectory) walk(path, into);
    else into.push(path);
  }
  return into;
}

function thisRepository(): Repository {
  const files = walk("", []);
  const folders = new Set(files.flatMap((file) => {
    const parts = file.split("/");
    return parts.slice(1).map((_, index) => parts.slice(0, index + 1).join("/"));
  }));
  const known = new Set(files);
  // What git ignores is made by running things (bench/results/): it may be named before it exists.
  const made = Deno.readTextFileSync(new URL(".gitignore", ROOT)).split("\n")
    .filter((line) => line.endsWith("/")).map((line) => line.slice(0, -1));
  const deno = JSON.parse(Deno.readTextFileSync(new URL("deno.json", ROOT)));
  return {
    files,
    exists: (path) =>
      known.has(path) || folders.has(path) ||
      made.some((folder) => path === folder || path.startsWith(`${folder}/`)),
    tasks: Object.keys(deno.tasks),
  };
}

function theDocs(): DocFile[] {
  const paths = [
    "README.md",
    ...[...Deno.readDirSync(new URL("docs/", ROOT))]
      .filter((entry) => entry.name.endsWith(".md"))
      .map((entry) => `docs/${entry.name}`)
      .sort(),
  ];
  return paths.map((path) => ({ path, text: Deno.readTextFileSync(new URL(path, ROOT)) }));
}

Deno.test("README.md and docs/ name only paths, tasks, files and headings that exist", () => {
  const problems = checkDocs(theDocs(), thisRepository());
  assert.deepEqual(problems, [], `broken references:\n${problems.join("\n")}`);
});

Deno.test("checkDocs() reports each kind of broken reference", async (t) => {
  const repo: Repository = {
    files: ["README.md", "docs/a.md", "lib/amqp/topology.ts", "e2e/faults/x_process_test.ts"],
    exists: (path) =>
      ["README.md", "docs", "docs/a.md", "lib", "lib/amqp", "lib/amqp/topology.ts"].includes(path),
    tasks: ["dev", "test", "start:user"],
  };
  const check = (text: string, more: DocFile[] = []) =>
    checkDocs([
      { path: "README.md", text },
      { path: "docs/a.md", text: "# A\n## Sub part\n" },
      ...more,
    ], repo);

  await t.step("nothing to report", () => {
    assert.deepEqual(
      check(
        "See [a](docs/a.md#sub-part), [top](#top), `lib/amqp/topology.ts`, `x_process_test.ts`,\n" +
          "`deno task start:<service>`, `e2e/faults/*_test.ts`.\n# Top\n```sh\ndeno task dev\n```\n",
      ),
      [],
    );
  });
  await t.step("a link to a missing file", () => {
    assert.deepEqual(check("[b](docs/b.md)"), ["README.md: link to a missing file: docs/b.md"]);
  });
  await t.step("a link to a missing heading, here or in another file", () => {
    assert.deepEqual(check("[a](docs/a.md#nope) [x](#gone)"), [
      "README.md: link to a missing heading: docs/a.md#nope",
      "README.md: link to a missing heading: #gone",
    ]);
  });
  await t.step("a link relative to a file in docs/", () => {
    const problems = checkDocs([
      { path: "README.md", text: "# R" },
      { path: "docs/a.md", text: "[r](../README.md#r) [x](README.md)" },
    ], repo);
    assert.deepEqual(problems, ["docs/a.md: link to a missing file: README.md"]);
  });
  await t.step("a stale repository path, inline or in a code block", () => {
    assert.deepEqual(check("`lib/amqp_topology.ts`\n```\nlib/telemetry.ts  setup\n```\n"), [
      "README.md: no such path: lib/amqp_topology.ts",
      "README.md: no such path: lib/telemetry.ts",
    ]);
  });
  await t.step("a file name that no file has", () => {
    assert.deepEqual(check("`gone_test.ts`"), ["README.md: no file named gone_test.ts"]);
  });
  await t.step("a task that deno.json lacks", () => {
    assert.deepEqual(
      check("run `deno task tests`\n```\ndeno task start:<x> && deno task nope\n```"),
      [
        "README.md: no such task: deno task tests",
        "README.md: no such task: deno task nope",
      ],
    );
  });
  await t.step("a heading inside a code block is no anchor", () => {
    assert.deepEqual(check("[x](#comment)\n```sh\n# comment\n```"), [
      "README.md: link to a missing heading: #comment",
    ]);
  });
});

Deno.test("headingAnchor() spells anchors as GitHub does", () => {
  assert.equal(
    headingAnchor("Propagation: W3C Trace Context Level 2"),
    "propagation-w3c-trace-context-level-2",
  );
  assert.equal(
    headingAnchor("The tracing page (http://localhost:16686)"),
    "the-tracing-page-httplocalhost16686",
  );
  assert.equal(headingAnchor("1. Compiled binaries"), "1-compiled-binaries");
  assert.equal(headingAnchor("tracing and replicas"), "tracing-and-replicas");
  assert.deepEqual([...anchorsOf("# A\n## A\n## B")], ["a", "a-1", "b"]);
});
