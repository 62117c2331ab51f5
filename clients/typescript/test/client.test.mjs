// The client's own guarantees, against a scripted fake gateway.
import { test } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import { ActionDenied, Countersign, CountersignApiError, CountersignNetworkError, ExecutionNotReported } from "../dist/index.js";
import { fakeGateway, requestJson } from "./fake-gateway.mjs";

const GRANT = "cgr_req_0123456789abcdefghijklmnop.c2VjcmV0";
const ACTION = { action: "db.export", resource: "db/prod/customers", reason: "r" };

test("request generates an idempotency key and sends it again after no answer or a 503", async () => {
  const fake = await fakeGateway([[0], [503, { status: 503 }], [202, requestJson("pending")]]);
  try {
    const status = await new Countersign({ baseUrl: fake.url, apiKey: "csa_key" }).request(ACTION);
    assert.equal(status.status, "pending");
    const keys = fake.received.map((r) => r.body.idempotencyKey);
    assert.equal(keys.length, 3);
    assert.equal(new Set(keys).size, 1, "every retry carries the same key: the gateway makes one request");
  } finally {
    await fake.close();
  }
});

test("a refusal is not retried and carries the problem's type, detail and requestId", async () => {
  const problem = { type: "urn:countersign:problem:bad-request", title: "The request is malformed", status: 400,
    detail: "field 'reason' must say why", instance: "/v1/actions", requestId: "abc123" };
  const fake = await fakeGateway([[400, problem]]);
  try {
    await assert.rejects(new Countersign({ baseUrl: fake.url, apiKey: "csa_key" }).request(ACTION), (error) => {
      assert.ok(error instanceof CountersignApiError);
      assert.deepEqual([error.status, error.type, error.detail, error.requestId], [400, problem.type, problem.detail, "abc123"]);
      return true;
    });
    assert.equal(fake.received.length, 1);
  } finally {
    await fake.close();
  }
});

test("every call has a timeout", async () => {
  const fake = await fakeGateway([[-1]]);
  try {
    const started = Date.now();
    await assert.rejects(new Countersign({ baseUrl: fake.url, apiKey: "csa_key", timeoutMs: 300, retries: 0 }).get("req_0123456789abcdefghijklmnop"),
      (error) => error instanceof CountersignNetworkError && error.timedOut);
    assert.ok(Date.now() - started < 3000);
  } finally {
    await fake.close();
  }
});

test("the grant is never printed nor logged", async () => {
  const fake = await fakeGateway([[200, requestJson("approved", GRANT)], [200, requestJson("executed")]]);
  const lines = [];
  try {
    const countersign = new Countersign({ baseUrl: fake.url, apiKey: "csa_key", log: (line) => lines.push(line) });
    const shown = await countersign.guard(ACTION, (grant) => `${grant} ${JSON.stringify(grant)} ${inspect(grant)} ${JSON.stringify({ ...grant })}`);
    assert.doesNotMatch(shown, /c2VjcmV0/);
    assert.doesNotMatch(lines.join("\n"), /c2VjcmV0|csa_key/);
    assert.equal(fake.received[1].body.grant, GRANT, "the report sends the grant itself");
  } finally {
    await fake.close();
  }
});

test("guard reports a failing work as failed and rethrows it", async () => {
  const fake = await fakeGateway([[200, requestJson("approved", GRANT)], [200, requestJson("failed")]]);
  try {
    await assert.rejects(new Countersign({ baseUrl: fake.url, apiKey: "csa_key" }).guard(ACTION, () => { throw new Error("disk full"); }), /disk full/);
    assert.deepEqual(fake.received[1].body, { grant: GRANT, outcome: "failed", detail: "Error: disk full" });
  } finally {
    await fake.close();
  }
});

test("guard that ran the work but could not report it says so", async () => {
  const fake = await fakeGateway([[200, requestJson("approved", GRANT)], [409, { status: 409, title: "Conflict" }]]);
  try {
    await assert.rejects(new Countersign({ baseUrl: fake.url, apiKey: "csa_key" }).guard(ACTION, () => "done"), ExecutionNotReported);
  } finally {
    await fake.close();
  }
});

test("guard never runs denied work, and the error names who denied it and why", async () => {
  const fake = await fakeGateway([[200, requestJson("denied", undefined, { decidedBy: "bob", resolution: "not now" })]]);
  try {
    let runs = 0;
    await assert.rejects(new Countersign({ baseUrl: fake.url, apiKey: "csa_key" }).guard(ACTION, () => runs++), (error) => {
      assert.ok(error instanceof ActionDenied);
      assert.deepEqual([error.deniedBy, error.reason, error.requestId], ["bob", "not now", "req_0123456789abcdefghijklmnop"]);
      return true;
    });
    assert.equal(runs, 0);
  } finally {
    await fake.close();
  }
});
