/**
 * No secret of a URL is ever printed: every service runs with credentials in the userinfo and in
 * password-like query parameters of each URL it takes (DATABASE_URL, RABBITMQ_URL, the OTLP
 * endpoints and headers, FORWARD_ENDPOINTS, ALERT_WEBHOOK_URL), through the paths that print
 * them: the config log, "PostgreSQL schema ready", `/health`, "Cannot reach PostgreSQL", RabbitMQ
 * connection errors, failing exports and forwards, the invalid-config message and `--help`. The
 * secret must not appear in any of the real processes' output nor in any answer.
 */
import assert from "node:assert/strict";
import { createTestDatabase } from "../lib/testing/postgres.ts";
import {
  REPO_ROOT,
  servicePermissions,
  type ServiceProcess,
  startServiceProcess,
} from "../lib/testing/service_process.ts";
import { waitFor } from "../lib/testing/wait.ts";

const SECRET = `s3cr3t${crypto.randomUUID().slice(0, 8)}`;

/** A port nothing listens on: bound, then closed again. */
function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** Telemetry that exports to a closed port through URLs and headers full of the secret. */
function leakyTelemetryEnv(): Record<string, string> {
  const dead = `http://otel:${SECRET}@127.0.0.1:${closedPort()}`;
  return {
    OTEL_EXPORTER_OTLP_ENDPOINT: `${dead}/?token=${SECRET}`,
    OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: `${dead}/v1/logs?api_key=${SECRET}`,
    OTEL_EXPORTER_OTLP_HEADERS: `authorization=Bearer ${SECRET}`,
    OTEL_BSP_SCHEDULE_DELAY: "100",
    OTEL_BLRP_SCHEDULE_DELAY: "100",
    OTEL_EXPORTER_OTLP_TIMEOUT: "500",
  };
}

function assertNoSecret(where: string, text: string): void {
  assert.ok(!text.includes(SECRET), `${where} shows the secret:\n${text}`);
}

async function run(service: string, args: string[], env: Record<string, string>) {
  const dataDir = await Deno.makeTempDir({ prefix: "secrets-" });
  try {
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", ...servicePermissions(dataDir), `${service}/main.ts`, ...args],
      cwd: REPO_ROOT,
      env: { DATA_DIR: dataDir, PORT: "0", ...env },
      stdin: "null",
    }).output();
    const decoder = new TextDecoder();
    return {
      code: output.code,
      text: decoder.decode(output.stdout) + decoder.decode(output.stderr),
    };
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
}

async function healthText(process: ServiceProcess): Promise<string> {
  const response = await fetch(`${process.url}/health`);
  return await response.text();
}

Deno.test("no service prints a secret of a URL: logs, /health, errors, --help", async (t) => {
  await t.step("user on PostgreSQL: config log, schema ready, /health", async () => {
    const db = await createTestDatabase("secrets");
    const dataDir = await Deno.makeTempDir({ prefix: "secrets-" });
    // The test server trusts loopback, so the passwords are accepted and only have to stay hidden.
    const url = new URL(db.url);
    url.password = SECRET;
    url.searchParams.set("password", SECRET);
    url.searchParams.set("sslmode", "disable");
    const user = await startServiceProcess({
      service: "user",
      dataDir,
      env: { DATABASE_URL: url.href, ...leakyTelemetryEnv() },
    });
    try {
      assert.ok(user.logs.some((line) => line.msg === "PostgreSQL schema ready"));
      const health = await healthText(user);
      assert.match(health, /"url":"postgres:\/\/postgres:\*\*\*@127\.0\.0\.1/);
      assert.match(health, /password=\*\*\*/);
      assertNoSecret("/health of user", health);
      // Spans and log records go to the closed port until the exporter reports it.
      await fetch(`${user.url}/users/1`).then((response) => response.body?.cancel());
      await waitFor(
        "user to log the failing export",
        () => user.logs.some((line) => String(line.msg).includes("export failing")),
        { timeoutMs: 15_000 },
      );
    } finally {
      await user.stop();
      await Deno.remove(dataDir, { recursive: true });
      await db.drop();
    }
    assertNoSecret("user's output", user.lines.join("\n"));
  });

  await t.step("order with PostgreSQL down: config log and the Cannot reach error", async () => {
    const url = `postgres://bob:${SECRET}@127.0.0.1:${closedPort()}/db?password=${SECRET}`;
    const { code, text } = await run("order", [], { DATABASE_URL: url });
    assert.equal(code, 69, text);
    assert.match(text, /Cannot reach PostgreSQL at start/);
    assert.match(text, /password=\*\*\*/);
    assertNoSecret("order's output", text);
  });

  await t.step("order calling a user service that is down: logs, answer, /health", async () => {
    const dataDir = await Deno.makeTempDir({ prefix: "secrets-" });
    const order = await startServiceProcess({
      service: "order",
      dataDir,
      env: {
        USER_SERVICE_URL: `http://me:${SECRET}@127.0.0.1:${closedPort()}/?token=${SECRET}`,
        ...leakyTelemetryEnv(),
      },
    });
    try {
      const response = await fetch(`${order.url}/orders`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: "ann", item: "book", quantity: 1, unit_price: 1 }),
      });
      const body = await response.text();
      assert.equal(response.status, 503, body);
      assertNoSecret("order's answer", body);
      assertNoSecret("/health of order", await healthText(order));
    } finally {
      await order.stop();
      await Deno.remove(dataDir, { recursive: true });
    }
    // The URL is printed (the config log), masked.
    assert.match(order.lines.join("\n"), /me:\*\*\*@127\.0\.0\.1:\d+\/\?token=\*\*\*/);
    assertNoSecret("order's output", order.lines.join("\n"));
  });

  await t.step("an invalid DATABASE_URL is quoted without its secrets", async () => {
    const url = `mysql://bob:${SECRET}@127.0.0.1/db?password=${SECRET}`;
    const { code, text } = await run("user", [], { DATABASE_URL: url });
    assert.equal(code, 78, text);
    assert.match(text, /Invalid DATABASE_URL/);
    assertNoSecret("the invalid-config message", text);
  });

  for (const service of ["producer", "consumer"]) {
    await t.step(
      `${service} with RabbitMQ unreachable: connection log, errors, /health`,
      async () => {
        const dataDir = await Deno.makeTempDir({ prefix: "secrets-" });
        const process = await startServiceProcess({
          service,
          dataDir,
          env: {
            RABBITMQ_URL: `amqp://guest:${SECRET}@127.0.0.1:${closedPort()}/?token=${SECRET}`,
            ...leakyTelemetryEnv(),
          },
        });
        try {
          await waitFor(
            `${service} to log its connection attempt`,
            () => process.logs.some((line) => String(line.msg).includes("RabbitMQ")),
          );
          assertNoSecret(`/health of ${service}`, await healthText(process));
          const ready = await fetch(`${process.url}/ready`);
          assertNoSecret(`/ready of ${service}`, await ready.text());
        } finally {
          await process.stop();
          await Deno.remove(dataDir, { recursive: true });
        }
        assert.match(process.lines.join("\n"), /guest:\*\*\*@127\.0\.0\.1:\d+\/\?token=\*\*\*/);
        assertNoSecret(`${service}'s output`, process.lines.join("\n"));
      },
    );
  }

  await t.step("tracing: forward endpoint and webhook in logs, /health and /metrics", async () => {
    const dataDir = await Deno.makeTempDir({ prefix: "secrets-" });
    const forward = `http://fwd:${SECRET}@127.0.0.1:${closedPort()}/?token=${SECRET}`;
    const tracing = await startServiceProcess({
      service: "tracing",
      dataDir,
      listeners: ["otlp", "http"],
      env: {
        OTLP_PORT: "0",
        FORWARD_ENDPOINTS: forward,
        FORWARD_MAX_ATTEMPTS: "1",
        ALERT_WEBHOOK_URL: `http://hook.invalid/x?sig=${SECRET}`,
        ...leakyTelemetryEnv(),
      },
    });
    try {
      const empty = await fetch(`http://127.0.0.1:${tracing.ports.otlp}/v1/traces`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      });
      assert.equal(empty.status, 200, await empty.text());
      await waitFor(
        "tracing to log the failing forward",
        () => tracing.logs.some((line) => line.msg === "Forwarding failing"),
        { timeoutMs: 15_000 },
      );
      assertNoSecret("/health of tracing", await healthText(tracing));
      const metrics = await fetch(`${tracing.url}/metrics`);
      const text = await metrics.text();
      assert.match(text, /fwd:\*\*\*@/);
      assertNoSecret("/metrics of tracing", text);
    } finally {
      await tracing.stop();
      await Deno.remove(dataDir, { recursive: true });
    }
    assertNoSecret("tracing's output", tracing.lines.join("\n"));
  });

  await t.step("--help of every service, with the secrets in its env", async () => {
    for (const service of ["user", "order", "producer", "consumer", "tracing"]) {
      const { code, text } = await run(service, ["--help"], {
        DATABASE_URL: `postgres://bob:${SECRET}@h/db?password=${SECRET}`,
        RABBITMQ_URL: `amqp://guest:${SECRET}@h/`,
        ...leakyTelemetryEnv(),
      });
      assert.equal(code, 0, text);
      assertNoSecret(`${service} --help`, text);
    }
  });
});
