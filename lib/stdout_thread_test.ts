import assert from "node:assert/strict";

const MODULE = new URL("./stdout_thread.ts", import.meta.url).href;

/** Runs `body` in a child whose stdout the test reads; `thread` is a `StdoutThread` there. */
async function child(body: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const code = `import { StdoutThread } from "${MODULE}";\n${body}`;
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--ext=ts", code],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

Deno.test("StdoutThread writes every byte in order as its ring wraps, characters split or not", async () => {
  // A 1000-byte ring and chunks of 1 to 4-byte characters, so wraps fall inside characters.
  const run = await child(`
    const thread = new StdoutThread(1000);
    const parts = ["aé€😀", "z", "ü€€", "😀😀x"];
    let sent = "";
    for (let i = 0; i < 400; i++) {
      const text = parts[i % parts.length].repeat(1 + (i % 37)) + "|" + i + "\\n";
      while (!thread.send(text)) thread.drainSync(1000);
      sent += text;
    }
    thread.drainSync(5000);
    Deno.stderr.writeSync(new TextEncoder().encode(String(sent.length)));
    (globalThis as any).sent = sent;
    Deno.writeTextFileSync("/dev/stderr", "\\n" + btoa(String.fromCharCode(...new TextEncoder().encode(sent).subarray(0, 0))));
  `);
  assert.equal(run.code, 0, run.stderr);
  const lines = run.stdout.split("\n").filter((line) => line !== "");
  assert.equal(lines.length, 400);
  const parts = ["aé€😀", "z", "ü€€", "😀😀x"];
  lines.forEach((line, i) => {
    assert.equal(line, `${parts[i % parts.length]!.repeat(1 + (i % 37))}|${i}`);
  });
});

Deno.test("StdoutThread writes on the calling thread when its thread dies", async () => {
  const run = await child(`
    const thread = new StdoutThread(4096, { threadSource: "throw new Error('no thread here')" });
    thread.send("first\\n");
    // The thread's death arrives as an event; the ring empties once it has, written from here.
    while (thread.unwrittenBytes() > 0) await new Promise((resolve) => setTimeout(resolve, 10));
    thread.send("second\\n");
    thread.drainSync(1000);
  `);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, "first\nsecond\n");
});
