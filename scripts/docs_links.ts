/**
 * What the README and docs/ name must exist: every relative link's file and heading anchor, every
 * repository path in code (inline or fenced), and every `deno task`. `checkDocs` returns one line
 * per broken reference, so a test can list them all at once.
 */

/** A markdown file to check: its path from the repository root and its text. */
export interface DocFile {
  readonly path: string;
  readonly text: string;
}

/** What a check may look up about the repository. */
export interface Repository {
  /** Whether a file or folder exists at `path` (from the root, no trailing slash). */
  exists(path: string): boolean;
  /** Every file's path from the root, for globs and bare file names. */
  readonly files: readonly string[];
  /** The names of deno.json's tasks. */
  readonly tasks: readonly string[];
}

/** Top-level folders and files of this repository that docs refer to by path. */
const ROOTS = [
  ".ci",
  "bench",
  "consumer",
  "deploy",
  "docs",
  "e2e",
  "interop",
  "lib",
  "order",
  "producer",
  "scripts",
  "tracing",
  "user",
];
const ROOT_FILES = ["README.md", "deno.json", "deno.lock", "compose.yaml", "Dockerfile"];
const PATH = new RegExp(
  `(?<![\\w.:/@-])((?:${ROOTS.map((root) => root.replace(".", "\\.")).join("|")})/[\\w./*-]*|` +
    `${ROOT_FILES.map((file) => file.replace(".", "\\.")).join("|")})(?![\\w/-])`,
  "g",
);
/** A file name alone, as prose names a test beside its folder's path. */
const BARE_FILE = /^[\w*-]+\.(?:ts|md|yaml|json|go|py)$/;
const TASK = /deno task ([\w<>-]+(?::[\w<>-]+)*)/g;
const LINK = /\[[^\]]*\]\(([^)\s]+)\)/g;
const INLINE_CODE = /`([^`\n]+)`/g;

/** GitHub's anchor for a heading: lowercase, punctuation dropped, spaces as hyphens. */
export function headingAnchor(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-");
}

/** The text of `markdown` outside fenced code blocks, and the fenced blocks' lines apart. */
function splitFences(markdown: string): { prose: string[]; code: string[] } {
  const prose: string[] = [];
  const code: string[] = [];
  let fenced = false;
  for (const line of markdown.split("\n")) {
    if (/^\s*```/.test(line)) fenced = !fenced;
    else (fenced ? code : prose).push(line);
  }
  return { prose, code };
}

/** The anchors of every heading in `markdown`, numbered as GitHub numbers repeats. */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of splitFences(markdown).prose) {
    const heading = /^#{1,6}\s+(.*)$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const anchor = headingAnchor(heading.replace(/`/g, ""));
    const count = seen.get(anchor) ?? 0;
    seen.set(anchor, count + 1);
    anchors.add(count === 0 ? anchor : `${anchor}-${count}`);
  }
  return anchors;
}

/** `target` resolved against the folder of `from`, both from the repository root. */
function resolve(from: string, target: string): string {
  const parts = from.split("/").slice(0, -1);
  for (const part of target.split("/")) {
    if (part === "..") parts.pop();
    else if (part !== "." && part !== "") parts.push(part);
  }
  return parts.join("/");
}

function globPattern(path: string): RegExp {
  const escaped = path.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*+/g, "[^/]*");
  return new RegExp(`^${escaped}(/|$)`);
}

function pathExists(path: string, repo: Repository): boolean {
  const bare = path.replace(/\/$/, "");
  if (bare.includes("*")) return repo.files.some((file) => globPattern(bare).test(file));
  return repo.exists(bare);
}

/** Every broken reference in `docs`, one line each: `file: what is missing`. */
export function checkDocs(docs: readonly DocFile[], repo: Repository): string[] {
  const anchors = new Map(docs.map((doc) => [doc.path, anchorsOf(doc.text)]));
  const problems: string[] = [];
  for (const doc of docs) {
    const report = (problem: string) => problems.push(`${doc.path}: ${problem}`);
    const { prose, code } = splitFences(doc.text);
    const proseText = prose.join("\n");

    for (const [, target] of proseText.matchAll(LINK)) {
      if (/^[a-z]+:/i.test(target!)) continue; // http:, https:, mailto:
      const [file = "", anchor] = target!.split("#");
      const path = file === "" ? doc.path : resolve(doc.path, file);
      if (file !== "" && !repo.exists(path.replace(/\/$/, ""))) {
        report(`link to a missing file: ${target}`);
      } else if (anchor !== undefined) {
        const known = anchors.get(path);
        if (known === undefined) report(`link to a heading of a file not checked: ${target}`);
        else if (!known.has(anchor)) report(`link to a missing heading: ${target}`);
      }
    }

    const codeSpans = [...proseText.matchAll(INLINE_CODE)].map((match) => match[1]!);
    for (const text of [...codeSpans, ...code]) {
      for (const [, path] of text.matchAll(PATH)) {
        if (!pathExists(path!.replace(/[.]+$/, ""), repo)) report(`no such path: ${path}`);
      }
    }
    for (const span of codeSpans) {
      if (!BARE_FILE.test(span)) continue;
      const pattern = globPattern(span);
      const found = repo.files.some((file) => pattern.test(file.split("/").pop()!));
      if (!found) report(`no file named ${span}`);
    }

    for (const [, name] of [proseText, ...code].join("\n").matchAll(TASK)) {
      const pattern = globPattern(name!.replace(/<[^>]*>/g, "*"));
      if (!repo.tasks.some((task) => pattern.test(task))) report(`no such task: deno task ${name}`);
    }
  }
  return problems;
}
