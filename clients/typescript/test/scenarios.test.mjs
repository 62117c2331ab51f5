// clients/scenarios.json against the real gateway, through guard.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ActionNotAuthorized, Countersign } from "../dist/index.js";
import * as gateway from "./gateway.mjs";

test("the shared scenarios", { skip: gateway.SKIP }, async (t) => {
  const countersign = new Countersign({ baseUrl: gateway.URL, apiKey: gateway.AGENT_KEY, timeoutMs: 10_000 });
  for (const scenario of gateway.scenarios()) {
    await t.test(scenario.name, async () => {
      const action = gateway.unique(scenario.action, `ts-${gateway.RUN}`);
      const expect = scenario.expect;
      if (scenario.submitTwiceWithTheSameKey) {
        const key = `same-${gateway.RUN}-${scenario.name}`;
        const first = await countersign.request({ ...action, idempotencyKey: key });
        const again = await countersign.request({ ...action, idempotencyKey: key });
        assert.equal(again.id, first.id);
        assert.equal(again.status, expect.status);
        assert.equal(await gateway.inboxCount(action.resource), expect.requestsInTheInbox);
        await countersign.cancel(first.id);
        return;
      }
      const runs = [];
      const helper = gateway.human(action.resource, scenario.whilePending);
      let outcome = "ran";
      let id;
      try {
        await countersign.guard(action, (grant) => runs.push(grant.requestId), { timeoutMs: 90_000 });
        id = runs[0];
      } catch (error) {
        if (!(error instanceof ActionNotAuthorized)) throw error;
        outcome = error.name;
        id = error.requestId;
        assert.equal(error.request.grant, undefined, "a refused request carries no grant");
        if (expect.rules) assert.deepEqual(error.rules, expect.rules);
      }
      assert.deepEqual(await helper, []);
      assert.equal(outcome, expect.outcome);
      assert.equal(runs.length, outcome === "ran" ? 1 : 0, `the work ran ${runs.length} times`);
      assert.equal((await countersign.get(id)).status, expect.status);
    });
  }
});
