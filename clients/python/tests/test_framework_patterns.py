"""The SDK calls that the README's framework patterns make, in the order those frameworks make them,
against the real gateway. The frameworks themselves are not installed (the SDK has no dependencies
and the tests install none), so each test plays the framework's part with plain control flow and
pins what the pattern relies on: an idempotency key derived from the framework's call id finds the
same request again, a re-asked decision does not flip, the tool runs only with a grant, and a
refusal comes back as data for the model, never as a run."""

import inspect
import threading
import unittest
from typing import List

import countersign
from countersign import ActionDenied, ActionNotAuthorized, Grant, guarded
from tests import gateway


def approve_when_pending(resource: str, comment: str = "ok") -> threading.Thread:
    thread = threading.Thread(target=lambda: gateway.do_step({"do": "approve", "comment": comment}, gateway.pending_id(resource)))
    thread.start()
    return thread


@unittest.skipUnless(gateway.available(), gateway.SKIP_REASON)
class FrameworkPatternsTest(unittest.TestCase):
    def setUp(self) -> None:
        self.client = countersign.Countersign(gateway.URL, gateway.AGENT_KEY, timeout=10)

    def test_openai_agents_needs_approval_then_the_tool_finds_the_same_request_and_runs_once_with_its_grant(self) -> None:
        table = "orders-oa-" + gateway.RUN
        key = "openai-agents:call_" + gateway.RUN
        # needs_approval: the policy holds the call, so the run is interrupted.
        asked = self.client.request("db.export", "db/prod/" + table, "agent export", params={"table": table}, idempotency_key=key)
        self.assertEqual("require_approval", asked["decision"]["effect"])
        # The caller resolves the interruption with the humans' decision.
        gateway.do_step({"do": "approve", "comment": "fine"}, asked["id"])
        decided = self.client.wait_for_decision(asked["id"], timeout=20)
        self.assertEqual("approved", decided["status"])
        # On resume the SDK may ask needs_approval again: the same key gives the same request and effect.
        again = self.client.request("db.export", "db/prod/" + table, "agent export", params={"table": table}, idempotency_key=key)
        self.assertEqual((asked["id"], "require_approval"), (again["id"], again["decision"]["effect"]))
        # The tool itself: guard with the same key runs once, with the approved request's grant.
        grants: List[Grant] = []
        result = self.client.guard("db.export", "db/prod/" + table, "agent export", lambda grant: grants.append(grant) or "exported",
                                   params={"table": table}, idempotency_key=key, timeout=20)
        self.assertEqual("exported", result)
        self.assertEqual([asked["id"]], [grant.request_id for grant in grants])
        self.assertEqual("executed", self.client.get(asked["id"])["status"])
        self.assertEqual(0, gateway.inbox_count("db/prod/" + table))

    def test_langgraph_interrupt_a_node_rerun_on_resume_lands_on_the_same_request_and_reports_with_a_fresh_grant(self) -> None:
        resource = "db/prod/customers-lg-" + gateway.RUN
        key = "langgraph:thread-1:" + gateway.RUN
        first = self.client.request("db.export", resource, "graph export", idempotency_key=key)
        self.assertEqual("pending", first["status"])
        self.assertTrue(first["approval"]["url"], "the interrupt carries the approval URL")
        approving = approve_when_pending(resource)
        resume = self.client.wait_for_decision(first["id"], timeout=20)  # Command(resume=...)
        approving.join(20)
        self.assertEqual("approved", resume["status"])
        # LangGraph re-runs the node from its start: the same key, the same (now approved) request.
        rerun = self.client.request("db.export", resource, "graph export", idempotency_key=key)
        self.assertEqual((first["id"], "approved"), (rerun["id"], rerun["status"]))
        grant = self.client.get(first["id"])["grant"]
        self.assertIsInstance(grant, Grant)
        self.assertNotIn(grant.reveal(), repr(grant))
        self.assertEqual("executed", self.client.report_execution(grant, "succeeded")["status"])

    def test_google_adk_a_refusal_becomes_the_tools_answer_and_the_work_never_runs(self) -> None:
        ran: List[str] = []

        def export_table(table: str) -> dict:
            try:
                return {"result": self.client.guard("db.export", "db/prod/%s-adk-%s" % (table, gateway.RUN), "ADK agent export",
                                                    lambda grant: ran.append(table) or "exported", timeout=20)}
            except ActionNotAuthorized as refused:
                return {"error": str(refused)}

        denying = threading.Thread(target=lambda: gateway.do_step(
            {"do": "deny", "comment": "not this quarter"}, gateway.pending_id("db/prod/invoices-adk-" + gateway.RUN)))
        denying.start()
        answer = export_table("invoices")
        denying.join(20)
        self.assertEqual([], ran)
        self.assertIn("not this quarter", answer["error"])

    def test_crewai_tool_over_guarded_keeps_what_the_tool_decorator_reads_and_asks_with_the_call_arguments(self) -> None:
        ran: List[str] = []

        @guarded(self.client, action="db.export", resource=lambda table: "db/prod/%s-crew-%s" % (table, gateway.RUN),
                 reason="crew export", timeout=20)
        def export_table(table: str) -> str:
            """Export a production table."""
            ran.append(table)
            return "exported " + table

        # CrewAI's @tool builds the tool from the name, docstring, signature and annotations.
        self.assertEqual("export_table", export_table.__name__)
        self.assertEqual("Export a production table.", inspect.getdoc(export_table))
        self.assertEqual(["table"], list(inspect.signature(export_table).parameters))
        self.assertEqual({"table": str, "return": str}, export_table.__annotations__)

        approving = approve_when_pending("db/prod/ledger-crew-" + gateway.RUN)
        self.assertEqual("exported ledger", export_table("ledger"))
        approving.join(20)
        self.assertEqual(["ledger"], ran)
        with self.assertRaises(ActionDenied):
            threading.Thread(target=lambda: gateway.do_step(
                {"do": "deny", "comment": "no"}, gateway.pending_id("db/prod/payroll-crew-" + gateway.RUN))).start()
            export_table("payroll")
        self.assertEqual(["ledger"], ran)


if __name__ == "__main__":
    unittest.main()
