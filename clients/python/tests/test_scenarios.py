"""clients/scenarios.json, against the real gateway, with the synchronous client, the asyncio one and @guarded."""

import asyncio
import threading
import unittest
import uuid

import countersign
from tests import gateway


@unittest.skipUnless(gateway.available(), gateway.SKIP_REASON)
class SharedScenariosTest(unittest.TestCase):
    def setUp(self) -> None:
        self.client = countersign.Countersign(gateway.URL, gateway.AGENT_KEY, timeout=10)

    def test_every_scenario_with_guard(self) -> None:
        for scenario in gateway.scenarios():
            with self.subTest(scenario["name"]):
                self.run_scenario(scenario, "py-" + gateway.RUN)

    def test_every_scenario_with_the_asyncio_client(self) -> None:
        client = countersign.AsyncCountersign(gateway.URL, gateway.AGENT_KEY, timeout=10)
        for scenario in gateway.scenarios():
            if scenario.get("submitTwiceWithTheSameKey") or any(s["do"] == "restartGateway" for s in scenario["whilePending"]):
                continue  # the same code path as the synchronous client; once per run is enough for a restart
            with self.subTest(scenario["name"]):
                self.run_scenario(scenario, "pyasync-" + gateway.RUN, async_client=client)

    def run_scenario(self, scenario, suffix, async_client=None) -> None:
        action = gateway.unique(scenario["action"], suffix)
        expect = scenario["expect"]
        if scenario.get("submitTwiceWithTheSameKey"):
            key = str(uuid.uuid4())
            first = self.client.request(action["action"], action["resource"], action["reason"], action.get("params"), idempotency_key=key)
            again = self.client.request(action["action"], action["resource"], action["reason"], action.get("params"), idempotency_key=key)
            self.assertEqual(first["id"], again["id"])
            self.assertEqual(expect["status"], again["status"])
            self.assertEqual(expect["requestsInTheInbox"], gateway.inbox_count(action["resource"]))
            self.client.cancel(first["id"])
            return
        runs = []
        errors = []

        def human() -> None:
            try:
                if scenario["whilePending"]:
                    request_id = gateway.pending_id(action["resource"])
                    for step in scenario["whilePending"]:
                        gateway.do_step(step, request_id)
            except BaseException as error:  # surfaced by the assertion below
                errors.append(error)

        helper = threading.Thread(target=human)
        helper.start()
        outcome = "ran"
        request_id = None
        try:
            kwargs = dict(params=action.get("params"), on_behalf_of=action.get("onBehalfOf"), timeout=90)
            if async_client is not None:
                asyncio.run(async_client.guard(action["action"], action["resource"], action["reason"],
                                               lambda grant: runs.append(grant.request_id), **kwargs))
            else:
                self.client.guard(action["action"], action["resource"], action["reason"], lambda grant: runs.append(grant.request_id), **kwargs)
            request_id = runs[0]
        except countersign.ActionNotAuthorized as refused:
            outcome = type(refused).__name__
            request_id = refused.request_id
            self.assertIsNone(refused.request.get("grant"), "a refused request carries no grant")
            if "rules" in expect:
                self.assertEqual(expect["rules"], refused.rules)
        finally:
            helper.join(60)
        self.assertEqual([], errors)
        self.assertEqual(expect["outcome"], outcome)
        self.assertEqual(1 if outcome == "ran" else 0, len(runs), "the work ran %d times" % len(runs))
        self.assertEqual(expect["status"], self.client.get(request_id)["status"])


if __name__ == "__main__":
    unittest.main()
