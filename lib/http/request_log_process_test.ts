import assert from "node:assert/strict";
import { REPO_ROOT, servicePermissions } from "../testing/service_process.ts";
import { waitFor } from "../testing/wait.ts";

const REQUESTS = 400;

async function getMany(url: string, count: number): Promise<void> {
  for (let sent = 0; sent < count; sent += 20) {
    await Promise.all(Array.from({ length: Math.min(20, count - sent) }, async () => {
      const response = await fetch(`${url}/users/ghost`);
      await response.body?.cancel();
      assert.equal(response.status, 404);
    }));
  }
}

/** `user` on a port of its own, stdout piped (and read only if the test reads it). */
async function spawnUser(env: Record<string, string>) {
  const dataDir = await Deno.makeTempDir({ prefix: "request-log-" });
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...servicePermissions(dataDir), "user/main.ts"],
    cwd: REPO_ROOT,
    env: {
      PORT: String(port),
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      LOG_LEVEL: "info",
      OTEL_SDK_DISABLED: "true",
      ...env,
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const url = `http://127.0.0.1:${port}`;
  const stderr = new Response(child.stderr).text();
  await waitFor("the service to answer /health", async () => {
    const response = await fetch(`${url}/health`).catch(() => undefined);
    await response?.body?.cancel();
    return response?.status === 200;
  });
  return {
    url,
    child,
    stderr,
    async cleanUp() {
      try {
        child.kill("SIGTERM");
      } catch { /* gone already */ }
      await child.status;
      await child.stdout.cancel().catch(() => undefined);
      await stderr;
      await Deno.remove(dataDir, { recursive: true });
    },
  };
}

Deno.test("A service writes every buffered request line before it stops on SIGTERM", async (t) => {
  for (const format of ["json", "pretty"]) {
    await t.step(format, async () => {
      const user = await spawnUser({ LOG_FORMAT: format });
      const stdout = new Response(user.child.stdout).text();
      try {
        await getMany(user.url, REQUESTS);
        // At once: most of these lines are still in the buffer (it holds them up to 100 ms).
        user.child.kill("SIGTERM");
        assert.equal((await user.child.status).code, 0);
        const lines = (await stdout).split("\n").filter((line) => line !== "");
        assert.equal(lines.filter((line) => line.includes("Request handled")).length, REQUESTS);
        assert.match(lines.at(-1) ?? "", /Stopped/);
      } finally {
        await user.cleanUp();
      }
    });
  }
});

Deno.test("A service whose stdout is not read answers anyway and counts the lines it drops", async () => {
  const user = await spawnUser({ LOG_MAX_UNWRITTEN_BYTES: String(16 * 1024) });
  try {
    // Far more lines than the pipe (64 KiB) and the cap (16 KiB) hold; every request answered.
    await getMany(user.url, 3000);
    const health = await (await fetch(`${user.url}/health`)).json();
    assert.equal(health.log_output.mode, "buffered");
    assert.ok(health.log_output.dropped_lines > 0, JSON.stringify(health.log_output));
    const metrics = await (await fetch(`${user.url}/metrics`)).text();
    const counted = Number(/^log_lines_dropped_total (\d+)$/m.exec(metrics)?.[1]);
    assert.equal(counted, health.log_output.dropped_lines);
  } finally {
    await user.cleanUp();
  }
});
