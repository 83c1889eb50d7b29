/**
 * `tracestate` cases written from W3C Trace Context Level 2, "Tracestate Header": the key and
 * value grammar, the 32-member and 256-character limits, optional whitespace, empty members, and
 * the mutation rules.
 */
import assert from "node:assert/strict";
import { parseTraceState, W3CTraceState } from "./trace_state.ts";

function members(header: string): string | undefined {
  return parseTraceState(header)?.serialize();
}

Deno.test("parseTraceState() keeps keys valid under the current key grammar", async (t) => {
  const valid: Record<string, string> = {
    "a key ending in @": "foo@",
    "a key with two @ in a row": "foo@@bar",
    "a key with two @ apart": "foo@bar@baz",
    "a 242-character tenant and a one-character system": "t".repeat(242) + "@v",
    "a 241-character tenant and a 14-character system (256 in all)": "t".repeat(241) + "@" +
      "v".repeat(14),
    "a one-character tenant and a 15-character system": "t@" + "v".repeat(15),
    "a key of 256 characters": "z".repeat(256),
    "a key starting with a digit": "0abc",
    "every key character": "abcdefghijklmnopqrstuvwxyz0123456789_-*/@a-z0-9_-*/",
  };
  for (const [label, key] of Object.entries(valid)) {
    await t.step(label, () => {
      const state = parseTraceState(`foo=1,${key}=2`);
      assert.equal(state?.get(key), "2");
      assert.equal(state?.get("foo"), "1");
    });
  }
});

Deno.test("parseTraceState() drops the whole header when any member is invalid", async (t) => {
  const invalid: Record<string, string> = {
    "a key of 257 characters": `foo=1,${"z".repeat(257)}=1`,
    "a 242-character tenant with a 14-character system (257 characters)": `foo=1,${
      "t".repeat(242)
    }@${"v".repeat(14)}=1`,
    "33 members": Array.from({ length: 33 }, (_, i) => `k${i}=${i}`).join(","),
    "an empty value": "foo=,bar=3",
    "a value with =": "foo=bar=baz",
    "a key starting with @": "@foo=1,bar=2",
    "an uppercase key": "FOO=1,bar=2",
    "a key with a dot": "foo.bar=1",
    "a space inside the key": "foo =1",
    "a member without =": "foo,bar=2",
    "a value of 257 characters": `foo=${"v".repeat(257)}`,
    "a value with a control character": "foo=a\u0001b",
    "a value with a non-ASCII character": "foo=é",
  };
  for (const [label, header] of Object.entries(invalid)) {
    await t.step(label, () => assert.equal(parseTraceState(header), undefined));
  }
});

Deno.test("parseTraceState() accepts the limits exactly", async (t) => {
  await t.step("32 members", () => {
    const header = Array.from({ length: 32 }, (_, i) => `k${i}=${i}`).join(",");
    assert.equal(parseTraceState(header)?.size, 32);
  });
  await t.step("a value of 256 characters, every allowed character", () => {
    let value = "";
    for (let code = 0x20; code <= 0x7e; code++) {
      if (code !== 0x2c && code !== 0x3d) value += String.fromCharCode(code);
    }
    value = value.padEnd(256, "x");
    assert.equal(parseTraceState(`foo=${value}`)?.get("foo"), value);
  });
});

Deno.test("parseTraceState() reads optional whitespace, empty members and duplicates", async (t) => {
  await t.step("spaces and tabs around members are not part of them", () => {
    assert.equal(members("foo=1 \t , \t bar=2, \t baz=3"), "foo=1,bar=2,baz=3");
    assert.equal(members("\t foo=1 \t"), "foo=1");
  });
  await t.step("a value keeps its leading spaces", () => {
    assert.equal(parseTraceState("foo= 1")?.get("foo"), " 1");
  });
  await t.step("empty members are skipped and not counted", () => {
    assert.equal(members(",foo=1,, ,bar=2,"), "foo=1,bar=2");
    const header = Array.from({ length: 32 }, (_, i) => `k${i}=${i}`).join(",,");
    assert.equal(parseTraceState(header)?.size, 32);
  });
  await t.step("an empty header is an empty list", () => {
    assert.equal(members(""), "");
    assert.equal(members(" , "), "");
  });
  await t.step("of a duplicated key the left-most member is kept", () => {
    assert.equal(members("foo=1,bar=2,foo=3"), "foo=1,bar=2");
  });
});

Deno.test("W3CTraceState updates move the key to the front and keep 32 members", async (t) => {
  const state = new W3CTraceState([["a", "1"], ["b", "2"], ["c", "3"]]);
  await t.step("set() adds a key at the front", () => {
    assert.equal(state.set("z", "9").serialize(), "z=9,a=1,b=2,c=3");
  });
  await t.step("set() of an existing key updates it and moves it to the front", () => {
    assert.equal(state.set("b", "5").serialize(), "b=5,a=1,c=3");
  });
  await t.step("set() ignores an invalid key or value", () => {
    assert.equal(state.set("B", "1").serialize(), "a=1,b=2,c=3");
    assert.equal(state.set("d", "").serialize(), "a=1,b=2,c=3");
  });
  await t.step("unset() removes a key; the list itself never changes", () => {
    assert.equal(state.unset("b").serialize(), "a=1,c=3");
    assert.equal(state.serialize(), "a=1,b=2,c=3");
  });
  await t.step("a 33rd member pushes out the right-most", () => {
    const full = parseTraceState(Array.from({ length: 32 }, (_, i) => `k${i}=${i}`).join(","))!;
    const added = full.set("new", "1");
    assert.equal(added.size, 32);
    assert.equal(added.get("new"), "1");
    assert.equal(added.get("k31"), undefined);
    assert.equal(added.get("k30"), "30");
  });
});
