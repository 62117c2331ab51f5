"""The client's own guarantees, against a scripted fake gateway: idempotency keys, retries, timeouts,
typed errors that carry the problem, a grant that never prints, the decorator."""

import io
import logging
import time
import unittest

import countersign
from tests.fake_gateway import FakeGateway, request_json

GRANT = "cgr_req_0123456789abcdefghijklmnop.c2VjcmV0"


class ClientTest(unittest.TestCase):
    def test_request_generates_an_idempotency_key_and_resends_it_after_no_answer(self) -> None:
        with FakeGateway([(0, {}, None), (503, {}, {"status": 503}), (202, {}, request_json("pending"))]) as fake:
            status = countersign.Countersign(fake.url, "csa_key", timeout=5).request("db.export", "db/prod/customers", "r")
        self.assertEqual("pending", status["status"])
        keys = [r["body"]["idempotencyKey"] for r in fake.received]
        self.assertEqual(3, len(keys))
        self.assertEqual(1, len(set(keys)), "every retry carries the same key: the gateway makes one request")

    def test_a_refusal_is_not_retried_and_carries_the_problem(self) -> None:
        problem = {"type": "urn:countersign:problem:bad-request", "title": "The request is malformed", "status": 400,
                   "detail": "field 'reason' must say why", "instance": "/v1/actions", "requestId": "abc123"}
        with FakeGateway([(400, {"Content-Type": "application/problem+json"}, problem)]) as fake:
            with self.assertRaises(countersign.CountersignApiError) as raised:
                countersign.Countersign(fake.url, "csa_key").request("db.export", "db/prod/customers", " ")
        self.assertEqual(1, len(fake.received))
        self.assertEqual((400, "urn:countersign:problem:bad-request", "field 'reason' must say why", "abc123"),
                         (raised.exception.status, raised.exception.type, raised.exception.detail, raised.exception.request_id))

    def test_every_call_has_a_timeout(self) -> None:
        with FakeGateway([(-1, {}, None)]) as fake:
            started = time.monotonic()
            with self.assertRaises(countersign.CountersignNetworkError) as raised:
                countersign.Countersign(fake.url, "csa_key", timeout=0.5, retries=0).get("req_0123456789abcdefghijklmnop")
        self.assertTrue(raised.exception.timed_out)
        self.assertLess(time.monotonic() - started, 3)

    def test_the_grant_is_never_printed_nor_logged(self) -> None:
        log = io.StringIO()
        handler = logging.StreamHandler(log)
        logging.getLogger("countersign").addHandler(handler)
        logging.getLogger("countersign").setLevel(logging.DEBUG)
        try:
            with FakeGateway([(200, {}, request_json("approved", GRANT)), (200, {}, request_json("executed"))]) as fake:
                client = countersign.Countersign(fake.url, "csa_key")
                ran = client.guard("db.export", "db/prod/customers", "r", lambda grant: repr(grant) + str(grant))
        finally:
            logging.getLogger("countersign").removeHandler(handler)
        self.assertNotIn("c2VjcmV0", ran)
        self.assertNotIn("c2VjcmV0", log.getvalue())
        self.assertEqual(GRANT, fake.received[1]["body"]["grant"], "the report sends the grant itself")

    def test_guard_reports_a_failing_work_and_reraises(self) -> None:
        def work(grant: countersign.Grant) -> None:
            raise RuntimeError("disk full")

        with FakeGateway([(200, {}, request_json("approved", GRANT)), (200, {}, request_json("failed"))]) as fake:
            with self.assertRaisesRegex(RuntimeError, "disk full"):
                countersign.Countersign(fake.url, "csa_key").guard("db.export", "db/prod/customers", "r", work)
        self.assertEqual({"grant": GRANT, "outcome": "failed", "detail": "RuntimeError: disk full"}, fake.received[1]["body"])

    def test_guard_that_ran_but_could_not_report_says_so(self) -> None:
        with FakeGateway([(200, {}, request_json("approved", GRANT)), (409, {}, {"status": 409, "title": "Conflict"})]) as fake:
            with self.assertRaises(countersign.ExecutionNotReported):
                countersign.Countersign(fake.url, "csa_key").guard("db.export", "db/prod/customers", "r", lambda grant: "done")

    def test_guarded_asks_with_the_call_arguments_and_never_runs_a_denied_call(self) -> None:
        denied = request_json("denied", decidedBy="bob", resolution="not now")
        with FakeGateway([(200, {}, denied)]) as fake:
            client = countersign.Countersign(fake.url, "csa_key")
            runs = []

            @countersign.guarded(client, action="db.export", resource=lambda table, rows: "db/prod/" + table, reason="weekly report")
            def export(table: str, rows: int) -> int:
                runs.append(table)
                return rows

            with self.assertRaises(countersign.ActionDenied) as raised:
                export("customers", rows=10)
        self.assertEqual([], runs)
        self.assertEqual("bob", raised.exception.denied_by)
        sent = fake.received[0]["body"]
        self.assertEqual(("db/prod/customers", {"table": "customers", "rows": 10}), (sent["resource"], sent["params"]))


if __name__ == "__main__":
    unittest.main()
