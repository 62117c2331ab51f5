package io.countersign.client;

import static io.countersign.client.FakeCountersign.API_KEY;
import static io.countersign.client.FakeCountersign.approvedBy;
import static io.countersign.client.FakeCountersign.deniedBy;
import static io.countersign.client.FakeCountersign.expired;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class CountersignClientTest {
    private static final Duration SHORT = Duration.ofSeconds(5);

    private FakeCountersign fake;
    private CountersignClient client;

    @BeforeEach
    void start() throws IOException {
        fake = new FakeCountersign()
                .rule("db.query", "allow", "reads-are-free", null)
                .rule("db.export", "require_approval", "exports-need-a-data-owner", "exports need a data owner")
                .rule("iam.grant", "deny", "agents-never-touch-iam", "agents may not change IAM");
        client = CountersignClient.builder(fake.url(), API_KEY)
                .maxLongPoll(Duration.ofSeconds(1))
                .build();
    }

    @AfterEach
    void stop() {
        client.close();
        fake.close();
    }

    private static ActionRequest export() {
        return ActionRequest.of("db.export", "db/prod/customers")
                .param("rows", 10)
                .reason("weekly churn report");
    }

    private static ActionRequest query() {
        return ActionRequest.of("db.query", "db/prod/customers")
                .param("statement_kind", "select")
                .reason("count customers");
    }

    private List<FakeCountersign.Call> callsTo(String method, String path) {
        return fake.calls().stream()
                .filter(c -> c.method().equals(method) && c.path().equals(path))
                .toList();
    }

    private static String idempotencyKeyOf(FakeCountersign.Call call) {
        return WireFormat.MAPPER.readTree(call.body()).path("idempotencyKey").asString();
    }

    private static void sleepQuietly(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Nested
    class Submit {
        @Test
        void submit_sendsTheExactJsonAndHeaders() {
            client.submit(export().onBehalfOf("alice").idempotencyKey("k-1"));

            FakeCountersign.Call call = fake.calls().getFirst();
            assertThat(call.method()).isEqualTo("POST");
            assertThat(call.path()).isEqualTo("/v1/actions");
            assertThat(call.query()).isNull();
            assertThat(call.body()).isEqualTo("""
                    {"action":"db.export","resource":"db/prod/customers","params":{"rows":10},\
                    "reason":"weekly churn report","onBehalfOf":"alice","idempotencyKey":"k-1"}""");
            assertThat(call.headers().getFirst("Authorization")).isEqualTo("Bearer " + API_KEY);
            assertThat(call.headers().getFirst("Content-Type")).isEqualTo("application/json");
            assertThat(call.headers().getFirst("Accept")).isEqualTo("application/json, application/problem+json");
        }

        @Test
        void submit_withoutOptionalFields_leavesThemOut_butKeysTheSubmissionWithARandomIdempotencyKey() {
            client.submit(ActionRequest.of("db.query", "db/prod/customers"));

            assertThat(fake.calls().getFirst().body())
                    .matches("\\{\"action\":\"db.query\",\"resource\":\"db/prod/customers\",\"params\":\\{},"
                            + "\"reason\":\"\",\"idempotencyKey\":\"java-[0-9a-f-]{36}\"}");
        }

        @Test
        void submit_withoutIdempotencyKey_givesEachSubmissionAKeyOfItsOwn() {
            client.submit(query());
            client.submit(query());

            List<String> keys = callsTo("POST", "/v1/actions").stream()
                    .map(call -> idempotencyKeyOf(call))
                    .toList();
            assertThat(keys).hasSize(2).doesNotHaveDuplicates();
        }

        @Test
        void submit_pendingAction_readsTheWholeAnswer() {
            ActionStatus status = client.submit(export().onBehalfOf("alice"));

            assertThat(status.id()).isEqualTo("req_1");
            assertThat(status.status()).isEqualTo(RequestStatus.PENDING);
            assertThat(status.action()).isEqualTo(export().onBehalfOf("alice"));
            assertThat(status.agent()).isEqualTo("report-bot");
            assertThat(status.decision())
                    .isEqualTo(new Decision(
                            Effect.REQUIRE_APPROVAL,
                            List.of("exports-need-a-data-owner"),
                            Optional.of("exports need a data owner"),
                            "sha256:5f1c0ffee"));
            assertThat(status.grant()).isEmpty();
            assertThat(status.approval()).hasValueSatisfying(approval -> {
                assertThat(approval.groups()).containsExactly("data-owners");
                assertThat(approval.quorum()).isEqualTo(1);
                assertThat(approval.url()).isEqualTo(URI.create(fake.url() + "/v1/actions/req_1"));
            });
            assertThat(status.votes()).isEmpty();
            assertThat(status.decidedAt()).isEmpty();
        }

        @Test
        void submit_sameIdempotencyKeyTwice_answersTheSameRequest() {
            ActionStatus first = client.submit(export().idempotencyKey("k-1"));
            ActionStatus second = client.submit(export().idempotencyKey("k-1"));

            assertThat(second.id()).isEqualTo(first.id());
        }

        @Test
        void submit_withIdempotencyKey_retriesOnceAfterAConnectionFailure() {
            fake.failNext(FakeCountersign.closeWithoutAnswer());

            ActionStatus status = client.submit(query().idempotencyKey("k-retry"));

            assertThat(status.status()).isEqualTo(RequestStatus.APPROVED);
            assertThat(callsTo("POST", "/v1/actions")).hasSize(2);
        }

        @Test
        void submit_withIdempotencyKey_givesUpAfterTheSecondConnectionFailure() {
            fake.failNext(FakeCountersign.closeWithoutAnswer()).failNext(FakeCountersign.closeWithoutAnswer());

            assertThatThrownBy(() -> client.submit(query().idempotencyKey("k-retry")))
                    .isInstanceOf(CountersignNetworkException.class);
            assertThat(callsTo("POST", "/v1/actions")).hasSize(2);
        }

        @Test
        void submit_withoutIdempotencyKey_retriesOnceAfterAConnectionFailure_withTheKeyItMadeForTheFirstTry() {
            fake.failNext(FakeCountersign.closeWithoutAnswer());

            ActionStatus status = client.submit(export());

            assertThat(status.status()).isEqualTo(RequestStatus.PENDING);
            List<FakeCountersign.Call> calls = callsTo("POST", "/v1/actions");
            assertThat(calls).hasSize(2);
            assertThat(idempotencyKeyOf(calls.get(1))).isEqualTo(idempotencyKeyOf(calls.get(0)));
        }

        @Test
        void submit_retriesOnceAfterA503FromAProxy_andNamesTheSecondOneIfItLasts() {
            fake.failNext(FakeCountersign.answer(503, "text/html", "<h1>upstream unavailable</h1>"));

            assertThat(client.submit(query()).status()).isEqualTo(RequestStatus.APPROVED);
            assertThat(callsTo("POST", "/v1/actions")).hasSize(2);

            fake.failNext(FakeCountersign.answer(502, "text/html", "bad gateway"))
                    .failNext(FakeCountersign.answer(504, "text/html", "gateway timeout"));
            assertThatThrownBy(() -> client.submit(query()))
                    .isInstanceOfSatisfying(CountersignApiException.class, e -> assertThat(e.status())
                            .isEqualTo(504));
            assertThat(callsTo("POST", "/v1/actions")).hasSize(4);
        }

        @Test
        void submit_neverRetriesAnAnswerOfTheGatewayItself() {
            fake.failNext(FakeCountersign.answer(
                    500,
                    "application/problem+json",
                    "{\"type\":\"about:blank\",\"title\":\"Internal Server Error\",\"status\":500}"));

            CountersignApiException e =
                    catchThrowableOfType(CountersignApiException.class, () -> client.submit(query()));

            assertThat(e.status()).isEqualTo(500);
            assertThat(e.getMessage()).contains("POST " + fake.url() + "/v1/actions");
            assertThat(callsTo("POST", "/v1/actions")).hasSize(1);
        }

        @Test
        void authorize_keysItsSubmissionOnce_soItsRetryLandsOnTheSameRequest() throws Exception {
            fake.failNext(FakeCountersign.closeWithoutAnswer());

            client.authorize(query(), SHORT);

            List<FakeCountersign.Call> calls = callsTo("POST", "/v1/actions");
            assertThat(calls).hasSize(2);
            assertThat(idempotencyKeyOf(calls.get(1))).isEqualTo(idempotencyKeyOf(calls.get(0)));
        }

        @Test
        void aServerThatNeverAnswers_isANetworkErrorAfterTheRequestTimeout_notAHang() {
            try (CountersignClient impatient = CountersignClient.builder(fake.url(), API_KEY)
                    .requestTimeout(Duration.ofMillis(300))
                    .build()) {
                fake.failNext(exchange -> sleepQuietly(Duration.ofSeconds(5)));

                CountersignNetworkException e =
                        catchThrowableOfType(CountersignNetworkException.class, () -> impatient.get("req_1"));

                assertThat(e).hasCauseInstanceOf(java.net.http.HttpTimeoutException.class);
                assertThat(e.getMessage()).startsWith("GET " + fake.url() + "/v1/actions/req_1 failed: ");
            }
        }

        @Test
        void simulate_sendsTheActionWithoutIdempotencyKey_andReadsTheDecision() {
            Decision decision = client.simulate(
                    ActionRequest.of("iam.grant", "iam/roles/admin").idempotencyKey("k-1"));

            assertThat(decision.effect()).isEqualTo(Effect.DENY);
            assertThat(decision.rules()).containsExactly("agents-never-touch-iam");
            assertThat(fake.calls().getFirst().body()).doesNotContain("idempotencyKey");
            assertThat(fake.calls().getFirst().path()).isEqualTo("/v1/decisions/simulate");
        }

        @Test
        void cancel_postsAnEmptyObject_andAnswersTheCancelledRequest() {
            String id = client.submit(export()).id();

            ActionStatus status = client.cancel(id);

            assertThat(status.status()).isEqualTo(RequestStatus.CANCELLED);
            assertThat(callsTo("POST", "/v1/actions/" + id + "/cancel")
                            .getFirst()
                            .body())
                    .isEqualTo("{}");
        }
    }

    @Nested
    class Authorize {
        @Test
        void authorize_whenThePolicyAllows_returnsTheGrant() throws Exception {
            Grant grant = client.authorize(query(), SHORT);

            assertThat(grant.requestId()).isEqualTo("req_1");
            assertThat(grant.token()).isEqualTo(fake.request("req_1").grant);
        }

        @Test
        void authorize_whenThePolicyDenies_throwsActionDeniedWithRulesAndReason() {
            ActionDenied denied = catchThrowableOfType(
                    ActionDenied.class,
                    () -> client.authorize(ActionRequest.of("iam.grant", "iam/roles/admin"), SHORT));

            assertThat(denied.rules()).containsExactly("agents-never-touch-iam");
            assertThat(denied.reason()).hasValue("agents may not change IAM");
            assertThat(denied.deniedBy()).isEmpty();
            assertThat(denied.requestId()).isEqualTo("req_1");
            assertThat(denied)
                    .hasMessage(
                            "request req_1 (iam.grant on iam/roles/admin) was denied by policy rule agents-never-touch-iam: agents may not change IAM");
        }

        @Test
        void authorize_whenAHumanDenies_namesTheHumanAndTheirComment() {
            fake.onRead(1, deniedBy("bob", "not during the freeze"));

            ActionDenied denied = catchThrowableOfType(ActionDenied.class, () -> client.authorize(export(), SHORT));

            assertThat(denied.deniedBy()).hasValue("bob");
            assertThat(denied.reason()).hasValue("not during the freeze");
            assertThat(denied.rules()).containsExactly("exports-need-a-data-owner");
        }

        @Test
        void authorize_whilePending_longPollsUntilApproved() throws Exception {
            fake.holdPendingAtMost(50).onRead(3, approvedBy("bob"));

            Grant grant = client.authorize(export(), SHORT);

            assertThat(grant.token()).isEqualTo(fake.request(grant.requestId()).grant);
            assertThat(fake.calls())
                    .extracting(c -> c.method() + " " + c.path() + "?" + c.query())
                    .containsExactly(
                            "POST /v1/actions?wait=1s",
                            "GET /v1/actions/req_1?wait=1s",
                            "GET /v1/actions/req_1?wait=1s",
                            "GET /v1/actions/req_1?wait=1s");
        }

        @Test
        void authorize_pendingPastTheCallersTimeout_throwsApprovalTimedOut_andLeavesTheRequestPending() {
            long started = System.nanoTime();

            ApprovalTimedOut timedOut = catchThrowableOfType(
                    ApprovalTimedOut.class, () -> client.authorize(export(), Duration.ofMillis(1500)));

            Duration took = Duration.ofNanos(System.nanoTime() - started);
            assertThat(took).isBetween(Duration.ofMillis(1500), Duration.ofMillis(3000));
            assertThat(timedOut.waited()).isEqualTo(Duration.ofMillis(1500));
            assertThat(timedOut.approvalUrl()).hasValue(URI.create(fake.url() + "/v1/actions/req_1"));
            assertThat(timedOut.getMessage()).contains("req_1", "still pending", "stays pending on the server");
            assertThat(fake.request("req_1").status).isEqualTo("pending");
            assertThat(callsTo("POST", "/v1/actions/req_1/cancel")).isEmpty();
        }

        @Test
        void authorize_withZeroTimeout_asksOnceWithoutWaiting() {
            assertThatThrownBy(() -> client.authorize(export(), Duration.ZERO)).isInstanceOf(ApprovalTimedOut.class);

            assertThat(fake.calls()).singleElement().satisfies(call -> assertThat(call.query())
                    .isNull());
        }

        @Test
        void authorize_whenNobodyDecidesInTime_throwsApprovalExpired() {
            fake.onRead(1, expired());

            ApprovalExpired e = catchThrowableOfType(ApprovalExpired.class, () -> client.authorize(export(), SHORT));

            assertThat(e.expiresAt()).isPresent();
        }

        @Test
        void authorize_afterTheRequestWasCancelled_throwsApprovalCancelled() {
            String id = client.submit(export().idempotencyKey("k-1")).id();
            client.cancel(id);

            ApprovalCancelled e = catchThrowableOfType(
                    ApprovalCancelled.class, () -> client.authorize(export().idempotencyKey("k-1"), SHORT));

            assertThat(e.requestId()).isEqualTo(id);
            assertThat(e.cancelledBy()).hasValue("agent");
        }

        @Test
        void authorize_resubmittingAnExecutedRequest_throwsGrantUnavailable() throws Exception {
            Grant grant = client.authorize(query().idempotencyKey("k-1"), SHORT);
            client.reportExecution(grant, ExecutionOutcome.SUCCEEDED);

            GrantUnavailable e = catchThrowableOfType(
                    GrantUnavailable.class, () -> client.authorize(query().idempotencyKey("k-1"), SHORT));

            assertThat(e.status().status()).isEqualTo(RequestStatus.EXECUTED);
            assertThat(e.getMessage()).contains("already executed (succeeded");
        }

        @Test
        void await_returnsThePendingRequestWhenTheTimeoutEnds() {
            String id = client.submit(export()).id();

            ActionStatus status = client.await(id, Duration.ofSeconds(1));

            assertThat(status.isPending()).isTrue();
            assertThat(callsTo("GET", "/v1/actions/" + id))
                    .extracting(FakeCountersign.Call::query)
                    .containsExactly("wait=1s");
        }

        @Test
        void await_returnsAsSoonAsAHumanDecides() {
            String id = client.submit(export()).id();
            fake.onRead(1, approvedBy("bob"));

            ActionStatus status = client.await(id, Duration.ofSeconds(30));

            assertThat(status.status()).isEqualTo(RequestStatus.APPROVED);
            assertThat(status.grant()).isPresent();
            assertThat(status.votes()).singleElement().satisfies(vote -> {
                assertThat(vote.voter()).isEqualTo("bob");
                assertThat(vote.choice()).isEqualTo(VoteChoice.APPROVE);
                assertThat(vote.channel()).isEqualTo("slack");
            });
            assertThat(status.decidedBy()).hasValue("bob");
        }
    }

    @Nested
    class Guard {
        @Test
        void guard_runsTheWorkExactlyOnce_andReportsSucceeded() throws Exception {
            AtomicInteger runs = new AtomicInteger();

            String result = client.guard(query(), SHORT, () -> "rows: " + runs.incrementAndGet());

            assertThat(result).isEqualTo("rows: 1");
            assertThat(runs).hasValue(1);
            assertThat(callsTo("POST", "/v1/actions/req_1/execution"))
                    .singleElement()
                    .satisfies(call ->
                            assertThat(call.json().get("outcome").stringValue()).isEqualTo("succeeded"));
            assertThat(fake.request("req_1").status).isEqualTo("executed");
        }

        @Test
        void guard_whenTheWorkThrows_reportsFailedWithTheExceptionAndRethrowsIt() {
            IllegalStateException boom = new IllegalStateException("disk full");

            Throwable thrown = catchThrowable(() -> client.guard(query(), SHORT, () -> {
                throw boom;
            }));

            assertThat(thrown).isSameAs(boom).hasNoSuppressedExceptions();
            assertThat(fake.request("req_1").status).isEqualTo("failed");
            assertThat(fake.request("req_1").execution.get("detail").stringValue())
                    .isEqualTo("java.lang.IllegalStateException: disk full");
        }

        @Test
        void guard_whenTheWorkThrowsACheckedException_rethrowsItAsItWas() {
            IOException boom = new IOException("socket closed");

            Throwable thrown = catchThrowable(() -> client.guard(query(), SHORT, () -> {
                throw boom;
            }));

            assertThat(thrown).isSameAs(boom);
            assertThat(fake.request("req_1").execution.get("outcome").stringValue())
                    .isEqualTo("failed");
        }

        @Test
        void guard_onDenial_neverRunsTheWork() {
            AtomicInteger runs = new AtomicInteger();

            assertThatThrownBy(() -> client.guard(
                            ActionRequest.of("iam.grant", "iam/roles/admin"), SHORT, runs::incrementAndGet))
                    .isInstanceOf(ActionDenied.class);

            assertThat(runs).hasValue(0);
            assertThat(fake.calls()).noneMatch(call -> call.path().endsWith("/execution"));
        }

        @Test
        void guard_whenApprovalTimesOut_neverRunsTheWork() {
            AtomicInteger runs = new AtomicInteger();

            assertThatThrownBy(() -> client.guard(export(), Duration.ZERO, (Runnable) runs::incrementAndGet))
                    .isInstanceOf(ApprovalTimedOut.class);

            assertThat(runs).hasValue(0);
        }

        @Test
        void guard_withRunnable_runsOnceAfterApproval_andReportsSucceeded() throws Exception {
            fake.onRead(1, approvedBy("bob"));
            AtomicInteger runs = new AtomicInteger();

            client.guard(export(), SHORT, (Runnable) runs::incrementAndGet);

            assertThat(runs).hasValue(1);
            assertThat(fake.request("req_1").status).isEqualTo("executed");
        }

        @Test
        void guard_whenReportingSuccessFails_throwsExecutionNotReported_afterRunningTheWorkOnce() {
            AtomicInteger runs = new AtomicInteger();

            Throwable thrown = catchThrowable(() -> client.guard(query(), SHORT, () -> {
                fake.failNext(FakeCountersign.answer(503, "text/html", "<h1>maintenance</h1>"));
                return runs.incrementAndGet();
            }));

            assertThat(thrown)
                    .isInstanceOf(ExecutionNotReported.class)
                    .hasMessageStartingWith(
                            "the work for request req_1 ran and succeeded, but reporting it failed; do not run it again")
                    .hasCauseInstanceOf(CountersignApiException.class);
            assertThat(runs).hasValue(1);
        }

        @Test
        void guard_whenReportingFailureFails_keepsTheWorksExceptionAndAttachesTheReportFailure() {
            UncheckedIOException boom = new UncheckedIOException(new IOException("broken pipe"));

            Throwable thrown = catchThrowable(() -> client.guard(query(), SHORT, () -> {
                fake.failNext(FakeCountersign.closeWithoutAnswer());
                throw boom;
            }));

            assertThat(thrown).isSameAs(boom);
            assertThat(thrown.getSuppressed()).singleElement().isInstanceOf(ExecutionNotReported.class);
        }
    }

    @Nested
    class ReportExecution {
        @Test
        void reportExecution_sendsTheGrantOutcomeAndDetail() throws Exception {
            Grant grant = client.authorize(query(), SHORT);

            ActionStatus status = client.reportExecution(grant, ExecutionOutcome.FAILED, "timeout after 30s");

            assertThat(callsTo("POST", "/v1/actions/req_1/execution").getFirst().body())
                    .isEqualTo("{\"grant\":\"" + grant.token()
                            + "\",\"outcome\":\"failed\",\"detail\":\"timeout after 30s\"}");
            assertThat(status.status()).isEqualTo(RequestStatus.FAILED);
            assertThat(status.execution())
                    .hasValueSatisfying(e -> assertThat(e.detail()).hasValue("timeout after 30s"));
        }

        @Test
        void reportExecution_withAUsedGrant_is409() throws Exception {
            Grant grant = client.authorize(query(), SHORT);
            client.reportExecution(grant, ExecutionOutcome.SUCCEEDED);

            CountersignApiException e = catchThrowableOfType(
                    CountersignApiException.class, () -> client.reportExecution(grant, ExecutionOutcome.SUCCEEDED));

            assertThat(e.status()).isEqualTo(409);
        }

        @Test
        void reportExecution_withAnotherActionsGrant_is422() throws Exception {
            Grant first = client.authorize(query(), SHORT);
            Grant second = client.authorize(query(), SHORT);

            CountersignApiException e = catchThrowableOfType(
                    CountersignApiException.class,
                    () -> client.reportExecution(
                            new Grant(first.requestId(), second.token(), second.expiresAt()),
                            ExecutionOutcome.SUCCEEDED));

            assertThat(e.status()).isEqualTo(422);
        }
    }

    @Nested
    class Errors {
        @Test
        void problemJson_becomesCountersignApiExceptionWithItsFields() {
            CountersignApiException e =
                    catchThrowableOfType(CountersignApiException.class, () -> client.get("req_404"));

            assertThat(e.status()).isEqualTo(404);
            assertThat(e.type()).isEqualTo("https://countersign.io/problems/not-found");
            assertThat(e.title()).isEqualTo("Not Found");
            assertThat(e.detail()).hasValue("no request req_404");
            assertThat(e.instance()).hasValue("/v1/actions/req_404");
            assertThat(e.method()).isEqualTo("GET");
            assertThat(e)
                    .hasMessage("GET " + fake.url() + "/v1/actions/req_404 answered 404 Not Found: no request req_404");
        }

        @Test
        void errorWithoutProblemBody_keepsTheStatusAndAnExcerpt() {
            // Twice: a submission repeats once after a 502.
            fake.failNext(FakeCountersign.answer(502, "text/html", "<html>bad gateway</html>"))
                    .failNext(FakeCountersign.answer(502, "text/html", "<html>bad gateway</html>"));

            CountersignApiException e =
                    catchThrowableOfType(CountersignApiException.class, () -> client.submit(query()));

            assertThat(e.status()).isEqualTo(502);
            assertThat(e.type()).isEqualTo("about:blank");
            assertThat(e.title()).isEqualTo("Bad Gateway");
            assertThat(e.detail()).hasValue("<html>bad gateway</html>");
        }

        @Test
        void answerThatIsNotTheContract_isAProtocolErrorNamingTheField() {
            fake.failNext(FakeCountersign.answer(200, "application/json", "{\"id\":\"req_1\",\"status\":\"maybe\"}"));

            assertThatThrownBy(() -> client.submit(query()))
                    .isInstanceOf(CountersignProtocolException.class)
                    .hasMessage(
                            "POST " + fake.url()
                                    + "/v1/actions: field 'status' is 'maybe', want one of pending, approved, denied, expired, cancelled, executed, failed");
        }

        @Test
        void connectionRefused_isANetworkErrorNamingTheUrl() {
            URI url = fake.url();
            fake.close();

            CountersignNetworkException e =
                    catchThrowableOfType(CountersignNetworkException.class, () -> client.get("req_1"));

            assertThat(e.getMessage()).startsWith("GET " + url + "/v1/actions/req_1 failed: ConnectException");
        }

        @Test
        void requestIdThatIsNotAPathSegment_isRefusedBeforeAnyCall() {
            assertThatThrownBy(() -> client.get("../v1/approvals")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> client.cancel("req_1?x=1")).isInstanceOf(IllegalArgumentException.class);
            assertThat(fake.calls()).isEmpty();
        }

        @Test
        void negativeTimeout_isRefused() {
            assertThatThrownBy(() -> client.await("req_1", Duration.ofSeconds(-1)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("timeout is PT-1S, want zero or more");
        }
    }

    @Nested
    class Secrets {
        @Test
        void apiKey_neverAppearsInToString() throws Exception {
            Grant grant = client.authorize(query(), SHORT);

            assertThat(client.toString()).doesNotContain(API_KEY).contains("apiKey=***");
            assertThat(ApiKey.of(API_KEY)).hasToString("***");
            assertThat(grant.toString()).doesNotContain(grant.token()).contains("token=***");
        }

        @Test
        void grant_neverAppearsInTheToStringOfTheRequestThatCarriesIt_norInTheErrorsAboutIt() throws Exception {
            Grant grant = client.authorize(query(), SHORT);
            ActionStatus approved = client.get(grant.requestId());
            client.reportExecution(grant, ExecutionOutcome.SUCCEEDED);

            Throwable reused = catchThrowable(() -> client.reportExecution(grant, ExecutionOutcome.SUCCEEDED));
            Throwable unavailable = new GrantUnavailable(approved);

            assertThat(approved.grant().map(Grant::token)).hasValue(grant.token());
            assertThat(approved.toString()).doesNotContain(grant.token()).contains("token=***");
            assertThat(List.of(reused, unavailable))
                    .allSatisfy(e -> assertThat(e.toString() + e.getMessage()).doesNotContain(grant.token()));
        }

        @Test
        void apiKey_neverAppearsInExceptionMessages_evenWhenTheServerEchoesIt() {
            fake.failNext(FakeCountersign.answer(
                    401,
                    "application/problem+json",
                    "{\"type\":\"about:blank\",\"title\":\"Unauthorized\",\"status\":401,\"detail\":\"bad key "
                            + API_KEY + "\"}"));
            fake.failNext(FakeCountersign.answer(200, "application/json", "{\"id\":\"" + API_KEY + "\"}"));
            fake.failNext(FakeCountersign.answer(500, "text/plain", "Authorization: Bearer " + API_KEY));

            List<Throwable> failures = List.of(
                    catchThrowable(() -> client.submit(query())),
                    catchThrowable(() -> client.submit(query())),
                    catchThrowable(() -> client.submit(query())));

            assertThat(failures).allSatisfy(e -> {
                assertThat(e).isInstanceOf(CountersignException.class);
                assertThat(e.getMessage()).doesNotContain(API_KEY);
            });
            assertThat(((CountersignApiException) failures.getFirst()).detail()).hasValue("bad key ***");
        }

        @Test
        void wrongApiKey_is401WithoutTheKeyInTheMessage() {
            try (CountersignClient wrong =
                    CountersignClient.builder(fake.url(), "cs_agent_wrong").build()) {
                CountersignApiException e =
                        catchThrowableOfType(CountersignApiException.class, () -> wrong.submit(query()));

                assertThat(e.status()).isEqualTo(401);
                assertThat(e.getMessage()).doesNotContain("cs_agent_wrong");
            }
        }
    }

    @Nested
    class Building {
        @Test
        void plainHttpToARemoteHost_isRefusedUnlessMarkedInsecure() {
            URI remote = URI.create("http://countersign.internal:8080");

            assertThatThrownBy(() -> CountersignClient.builder(remote, API_KEY).build())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("insecurePlainHttp()");
            CountersignClient.builder(remote, API_KEY)
                    .insecurePlainHttp()
                    .build()
                    .close();
            CountersignClient.builder(URI.create("http://localhost:8080"), API_KEY)
                    .build()
                    .close();
        }

        @Test
        void baseUrlWithCredentials_isRefusedWithoutEchoingThem() {
            assertThatThrownBy(() -> CountersignClient.builder(
                            URI.create("https://agent:hunter2@countersign.example.com"), API_KEY))
                    .isInstanceOf(IllegalArgumentException.class)
                    .message()
                    .doesNotContain("hunter2");
        }

        @Test
        void maxLongPoll_outsideOneToSixtySeconds_isRefused() {
            CountersignClient.Builder builder = CountersignClient.builder(fake.url(), API_KEY);

            assertThatThrownBy(() -> builder.maxLongPoll(Duration.ofSeconds(61)))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> builder.maxLongPoll(Duration.ofMillis(500)))
                    .isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        void baseUrlWithAPathPrefix_isKept() {
            try (CountersignClient prefixed = CountersignClient.builder(URI.create(fake.url() + "/gateway/"), API_KEY)
                    .build()) {
                assertThatThrownBy(() -> prefixed.get("req_1")).isInstanceOf(CountersignApiException.class);
            }
            assertThat(fake.calls()).singleElement().satisfies(call -> assertThat(call.path())
                    .isEqualTo("/gateway/v1/actions/req_1"));
        }
    }
}
