import assert from "node:assert/strict";
import { isSecretParam, maskSecret, redactUrl, redactUrlsIn } from "./redact_url.ts";

Deno.test("redactUrl() masks passwords and password-like query values, nothing else", async (t) => {
  await t.step("masks the password of the userinfo", () => {
    assert.equal(redactUrl("amqp://user:secret@host:5672/vh"), "amqp://user:***@host:5672/vh");
  });
  await t.step("masks password-like query parameters and keeps the others as written", () => {
    assert.equal(
      redactUrl("postgres://bob@127.0.0.1:5432/db?password=secret&sslmode=disable"),
      "postgres://bob@127.0.0.1:5432/db?password=***&sslmode=disable",
    );
    assert.equal(
      redactUrl("postgres://h/db?sslpassword=s1&application_name=a%20b&PWD=s2#frag"),
      "postgres://h/db?sslpassword=***&application_name=a%20b&PWD=***#frag",
    );
    assert.equal(
      redactUrl("https://h/hook?api_key=k&access_token=t&x=1&auth=a&api-key=k2&db_password=p"),
      "https://h/hook?api_key=***&access_token=***&x=1&auth=***&api-key=***&db_password=***",
    );
  });
  await t.step("masks both at once", () => {
    assert.equal(
      redactUrl("amqp://u:p@h/?token=t&heartbeat=10"),
      "amqp://u:***@h/?token=***&heartbeat=10",
    );
  });
  await t.step("keeps a URL without secrets as it was", () => {
    assert.equal(redactUrl("amqp://user@host"), "amqp://user@host");
    assert.equal(redactUrl("http://host:1/x?limit=20"), "http://host:1/x?limit=20");
    assert.equal(redactUrl("http://host:1/a@b"), "http://host:1/a@b");
  });
  await t.step("masks the password of an unparseable URL", () => {
    const masked = redactUrl("amqp://user:p@ss word@ho st");
    assert.equal(masked, "amqp://user:***@ho st");
  });
  await t.step("keeps unparseable text without credentials", () => {
    assert.equal(redactUrl("not a url"), "not a url");
  });
  await t.step("takes a URL object and a mask, and may mask the user (url.full)", () => {
    const url = new URL("http://me:pw@h/p?sig=abc&q=1");
    assert.equal(
      redactUrl(url, { mask: "REDACTED", username: true }),
      "http://REDACTED:REDACTED@h/p?sig=REDACTED&q=1",
    );
  });
});

Deno.test("isSecretParam() knows the usual names, in any case and spelling", () => {
  for (
    const name of ["password", "PASSWORD", "passwd", "pwd", "secret", "client_secret", "token"]
  ) {
    assert.ok(isSecretParam(name), name);
  }
  for (const name of ["access_token", "api_key", "apikey", "API-KEY", "auth", "sslpassword"]) {
    assert.ok(isSecretParam(name), name);
  }
  for (const name of ["X-Amz-Signature", "AWSAccessKeyId", "sig", "pass%77ord"]) {
    assert.ok(isSecretParam(name), name);
  }
  for (const name of ["sslmode", "user", "application_name", "heartbeat", "limit"]) {
    assert.ok(!isSecretParam(name), name);
  }
});

Deno.test("redactUrlsIn() masks every URL inside free text", () => {
  assert.equal(
    redactUrlsIn(
      'error sending request for url (http://u:pw@h:1/v1/traces?token=t): refused; "amqp://g:g@r"',
    ),
    'error sending request for url (http://u:***@h:1/v1/traces?token=***): refused; "amqp://g:***@r"',
  );
  assert.equal(redactUrlsIn("no url here"), "no url here");
});

Deno.test("maskSecret() keeps a URL but its secrets, and hides anything else", () => {
  assert.equal(maskSecret("amqp://guest:guest@127.0.0.1:5672"), "amqp://guest:***@127.0.0.1:5672");
  assert.equal(maskSecret("postgres://h/db?password=x"), "postgres://h/db?password=***");
  assert.equal(maskSecret("s3cret"), "***");
  assert.equal(maskSecret("a:b"), "***");
});
