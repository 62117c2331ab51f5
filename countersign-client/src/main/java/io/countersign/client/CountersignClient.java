package io.countersign.client;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The agent's side of Countersign's Public API v1: ask before acting, wait for humans, report what
 * happened.
 *
 * <pre>{@code
 * try (CountersignClient countersign = CountersignClient.builder(URI.create("https://countersign.example.com"), apiKey).build()) {
 *     ActionRequest export = ActionRequest.of("db.export", "db/prod/customers").param("rows", 10).reason("weekly churn report");
 *     Report report = countersign.guard(export, Duration.ofMinutes(5), () -> exporter.run(10));
 * } catch (ActionDenied denied) { ... }
 * }</pre>
 *
 * <p>Guarantees: thread-safe and immutable once built; every call carries the API key as a bearer
 * token and nothing prints it; every call either returns what the server answered or throws a
 * {@link CountersignException} that names the method and URL. Every call has a deadline: the
 * request timeout (10 s unless set), plus the long-poll wait it asked the server for. Every
 * submission carries an idempotency key, the request's own or else a random one made for that
 * {@link #submit} or {@link #authorize} call, so only a submission repeats by itself: once, after a
 * connection failure or a 502/503/504, and the repeat lands on the request already made, never
 * on a second one. Waiting calls hold at most {@code maxLongPoll} per HTTP call and never much
 * more than the caller's timeout in total. Redirects are never followed, so the key goes only
 * to the configured server. Grants and the API key never appear in a {@code toString} or an
 * exception message.
 */
public final class CountersignClient implements AutoCloseable {
    /** Request ids are path segments; anything else must not reach the URL. */
    private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9_-]{1,200}");

    private static final int MAX_DETAIL_CHARS = 2000;

    private final URI baseUrl;
    private final HttpTransport transport;
    private final LongPoll longPoll;
    private final Optional<HttpClient> ownHttpClient;

    private CountersignClient(Builder builder) {
        this.baseUrl = builder.baseUrl;
        this.ownHttpClient = builder.httpClient == null
                ? Optional.of(HttpClient.newBuilder()
                        .connectTimeout(builder.requestTimeout)
                        .followRedirects(HttpClient.Redirect.NEVER)
                        .build())
                : Optional.empty();
        HttpClient http = builder.httpClient == null ? ownHttpClient.orElseThrow() : builder.httpClient;
        this.transport = new HttpTransport(http, builder.baseUrl, builder.apiKey, builder.requestTimeout);
        this.longPoll = new LongPoll(builder.maxLongPoll.toSeconds(), this::read);
    }

    /**
     * A builder for a client of the server at {@code baseUrl} ({@code https://countersign.example.com},
     * optionally with a path prefix) that authenticates with {@code apiKey}.
     *
     * @throws IllegalArgumentException if the URL is not an absolute http(s) URL without credentials,
     *     query or fragment, or the key is blank
     */
    public static Builder builder(URI baseUrl, String apiKey) {
        return new Builder(baseUrl, ApiKey.of(requireNonNull(apiKey, "apiKey is null")));
    }

    public static Builder builder(URI baseUrl, ApiKey apiKey) {
        return new Builder(baseUrl, apiKey);
    }

    /**
     * Asks for the action once, without waiting: the answer is {@code approved} with a grant (the
     * policy allowed it), {@code denied}, or {@code pending}. A request without an idempotency key
     * gets a random one for this call, so its single retry (after a connection failure or a
     * 502/503/504) can't create a second request; give the request a key of your own to make
     * your own resubmissions land on the same request too.
     */
    public ActionStatus submit(ActionRequest request) {
        requireNonNull(request, "request is null");
        return submit(withIdempotencyKey(request), 0);
    }

    /** The request as the server sees it now. */
    public ActionStatus get(String requestId) {
        return read(requireRequestId(requestId), 0);
    }

    /**
     * Long-polls until the request is no longer pending or {@code timeout} has passed, whichever
     * comes first, and returns it as last seen: still {@code pending} if the timeout ended first.
     * A zero timeout reads it once.
     */
    public ActionStatus await(String requestId, Duration timeout) {
        String id = requireRequestId(requestId);
        requireNonNull(timeout, "timeout is null");
        return longPoll.whilePending(timeout, waitSeconds -> read(id, waitSeconds));
    }

    /**
     * Submits the action and waits up to {@code timeout} for a decision.
     *
     * @return the grant to run it with, once
     * @throws ActionDenied if the policy or a human denied it
     * @throws ApprovalExpired if nobody decided it before the approval timeout
     * @throws ApprovalCancelled if it was cancelled
     * @throws ApprovalTimedOut if it was still pending when {@code timeout} ended; it stays pending on the server
     * @throws GrantUnavailable if it was approved but its grant is used, as for a resubmission of an executed request
     */
    public Grant authorize(ActionRequest request, Duration timeout) throws ActionNotAuthorized {
        requireNonNull(request, "request is null");
        requireNonNull(timeout, "timeout is null");
        ActionRequest keyed = withIdempotencyKey(request);
        ActionStatus status = longPoll.whilePending(timeout, waitSeconds -> submit(keyed, waitSeconds));
        return switch (status.status()) {
            case APPROVED -> status.grant().orElseThrow(() -> new GrantUnavailable(status));
            case PENDING -> throw new ApprovalTimedOut(status, timeout);
            case DENIED -> throw new ActionDenied(status);
            case EXPIRED -> throw new ApprovalExpired(status);
            case CANCELLED -> throw new ApprovalCancelled(status);
            case EXECUTED, FAILED -> throw new GrantUnavailable(status);
        };
    }

    /**
     * Authorizes the action, runs {@code work} once, reports the outcome and returns the result.
     * The work never runs unless a grant came back. If it throws, the failure is reported
     * ({@code failed}, with the exception's class and message as detail) and the exception is
     * rethrown as it was; a failure to report is attached to it as suppressed. If the work succeeds
     * but the report fails, {@link ExecutionNotReported} is thrown: the work has run.
     * {@code timeout} bounds the wait for approval, not the work.
     *
     * @throws ActionNotAuthorized as {@link #authorize} does; the work has not run
     */
    public <T> @Nullable T guard(ActionRequest request, Duration timeout, Callable<T> work) throws Exception {
        requireNonNull(work, "work is null");
        return guarded(request, timeout, work::call);
    }

    /** {@link #guard(ActionRequest, Duration, Callable)} for work without a result. */
    public void guard(ActionRequest request, Duration timeout, Runnable work) throws ActionNotAuthorized {
        requireNonNull(work, "work is null");
        guarded(request, timeout, () -> {
            work.run();
            return null;
        });
    }

    /**
     * Reports how the work done under {@code grant} ended, which uses the grant up.
     *
     * @throws CountersignApiException 409 if the grant is used or expired, 422 if it belongs to another action
     */
    public ActionStatus reportExecution(Grant grant, ExecutionOutcome outcome, String detail) {
        requireNonNull(detail, "detail is null");
        return reportExecution(grant, outcome, Optional.of(detail));
    }

    /** {@link #reportExecution(Grant, ExecutionOutcome, String)} without a detail. */
    public ActionStatus reportExecution(Grant grant, ExecutionOutcome outcome) {
        return reportExecution(grant, outcome, Optional.empty());
    }

    /** Withdraws a request; the answer says where it ended up. */
    public ActionStatus cancel(String requestId) {
        String id = requireRequestId(requestId);
        return transport.send(
                new HttpTransport.Call(
                        "POST",
                        "/v1/actions/" + id + "/cancel",
                        Optional.of(WireFormat.MAPPER.createObjectNode()),
                        0,
                        false),
                WireFormat::readStatus);
    }

    /** What the policy would decide for the action; nothing is recorded and no grant is made. */
    public Decision simulate(ActionRequest request) {
        requireNonNull(request, "request is null");
        return transport.send(
                new HttpTransport.Call(
                        "POST", "/v1/decisions/simulate", Optional.of(WireFormat.actionBody(request, false)), 0, false),
                WireFormat::readDecision);
    }

    /** Closes the HTTP client if this client made it; one passed to the builder stays open. */
    @Override
    public void close() {
        ownHttpClient.ifPresent(HttpClient::close);
    }

    @Override
    public String toString() {
        return "CountersignClient[baseUrl=" + baseUrl + ", apiKey=***]";
    }

    /** {@code request} keyed: a retried submission must land on the request the first one made. */
    private static ActionRequest withIdempotencyKey(ActionRequest request) {
        return request.idempotencyKey().isPresent() ? request : request.idempotencyKey("java-" + UUID.randomUUID());
    }

    private ActionStatus submit(ActionRequest request, long waitSeconds) {
        JsonNode body = WireFormat.actionBody(request, true);
        return transport.send(
                new HttpTransport.Call(
                        "POST",
                        "/v1/actions",
                        Optional.of(body),
                        waitSeconds,
                        request.idempotencyKey().isPresent()),
                WireFormat::readStatus);
    }

    private ActionStatus read(String id, long waitSeconds) {
        return transport.send(
                new HttpTransport.Call("GET", "/v1/actions/" + id, Optional.empty(), waitSeconds, false),
                WireFormat::readStatus);
    }

    private ActionStatus reportExecution(Grant grant, ExecutionOutcome outcome, Optional<String> detail) {
        requireNonNull(grant, "grant is null");
        requireNonNull(outcome, "outcome is null");
        String id = requireRequestId(grant.requestId());
        return transport.send(
                new HttpTransport.Call(
                        "POST",
                        "/v1/actions/" + id + "/execution",
                        Optional.of(WireFormat.executionBody(grant, outcome, detail)),
                        0,
                        false),
                WireFormat::readStatus);
    }

    @FunctionalInterface
    /** The guarded work; its result is whatever the caller's work returns (null for a Runnable). */
    private interface Work<T, E extends Exception> {
        @Nullable
        T run() throws E;
    }

    private <T, E extends Exception> @Nullable T guarded(ActionRequest request, Duration timeout, Work<T, E> work)
            throws ActionNotAuthorized, E {
        Grant grant = authorize(request, timeout);
        @Nullable T result;
        try {
            result = work.run();
        } catch (Throwable failure) {
            try {
                reportExecution(grant, ExecutionOutcome.FAILED, Optional.of(describe(failure)));
            } catch (CountersignException reportFailure) {
                failure.addSuppressed(
                        new ExecutionNotReported(grant.requestId(), ExecutionOutcome.FAILED, reportFailure));
            }
            throw failure;
        }
        try {
            reportExecution(grant, ExecutionOutcome.SUCCEEDED, Optional.empty());
        } catch (CountersignException reportFailure) {
            throw new ExecutionNotReported(grant.requestId(), ExecutionOutcome.SUCCEEDED, reportFailure);
        }
        return result;
    }

    private static String describe(Throwable failure) {
        String message = failure.getMessage();
        String detail = failure.getClass().getName() + (message == null ? "" : ": " + message);
        return detail.length() <= MAX_DETAIL_CHARS ? detail : detail.substring(0, MAX_DETAIL_CHARS) + "...";
    }

    private static String requireRequestId(String requestId) {
        requireNonNull(requestId, "requestId is null");
        if (!REQUEST_ID.matcher(requestId).matches()) {
            throw new IllegalArgumentException(
                    "request id '" + requestId + "' is not 1 to 200 of A-Z, a-z, 0-9, _ and -");
        }
        return requestId;
    }

    /**
     * Collects the client's options. Not thread-safe; the client it builds is.
     */
    public static final class Builder {
        private final URI baseUrl;
        private final ApiKey apiKey;
        private @Nullable HttpClient httpClient;
        private Duration requestTimeout = Duration.ofSeconds(10);
        private Duration maxLongPoll = Duration.ofSeconds(30);
        private boolean insecurePlainHttp;

        private Builder(URI baseUrl, ApiKey apiKey) {
            this.baseUrl = requireNonNull(baseUrl, "baseUrl is null");
            this.apiKey = requireNonNull(apiKey, "apiKey is null");
            if (!baseUrl.isAbsolute()
                    || !("http".equals(baseUrl.getScheme()) || "https".equals(baseUrl.getScheme()))
                    || baseUrl.getHost() == null) {
                throw new IllegalArgumentException(
                        "base URL " + baseUrl + " is not an absolute http or https URL with a host");
            }
            if (baseUrl.getRawUserInfo() != null || baseUrl.getRawQuery() != null || baseUrl.getRawFragment() != null) {
                // Credentials in a URL end up in logs and exception messages; the key has its own type.
                throw new IllegalArgumentException("base URL must not have user info, a query or a fragment: "
                        + baseUrl.getScheme() + "://" + baseUrl.getHost() + "/...");
            }
        }

        /**
         * The HTTP client to use, shared with the caller, who closes it. It should not follow
         * redirects, or the API key may follow one to another host. Default: a client of its own.
         */
        public Builder httpClient(HttpClient client) {
            this.httpClient = requireNonNull(client, "httpClient is null");
            return this;
        }

        /** How long a call may take to connect and to answer, besides any long-poll wait. Default 10s. */
        public Builder requestTimeout(Duration timeout) {
            requireNonNull(timeout, "requestTimeout is null");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("requestTimeout is " + timeout + ", want more than zero");
            }
            this.requestTimeout = timeout;
            return this;
        }

        /**
         * The longest a single HTTP call may ask the server to hold a pending answer; longer waits
         * take several calls. Whole seconds, 1s to 60s (the server's maximum). Default 30s.
         */
        public Builder maxLongPoll(Duration maxLongPoll) {
            requireNonNull(maxLongPoll, "maxLongPoll is null");
            if (maxLongPoll.compareTo(Duration.ofSeconds(1)) < 0
                    || maxLongPoll.compareTo(Duration.ofSeconds(60)) > 0
                    || maxLongPoll.toNanosPart() != 0) {
                throw new IllegalArgumentException(
                        "maxLongPoll is " + maxLongPoll + ", want whole seconds from 1s to 60s");
            }
            this.maxLongPoll = maxLongPoll;
            return this;
        }

        /**
         * Allows plain {@code http} to a host that is not loopback, which sends the API key and
         * grants in clear text. Only for networks where something else encrypts the traffic.
         */
        public Builder insecurePlainHttp() {
            this.insecurePlainHttp = true;
            return this;
        }

        /**
         * @throws IllegalStateException if the URL is plain http to a host that is not loopback and
         *     {@link #insecurePlainHttp()} was not called
         */
        public CountersignClient build() {
            if ("http".equals(baseUrl.getScheme()) && !isLoopback(baseUrl.getHost()) && !insecurePlainHttp) {
                throw new IllegalStateException("base URL " + baseUrl + " is plain http to " + baseUrl.getHost()
                        + ", which would send the API key in clear text; use https, or call insecurePlainHttp()");
            }
            return new CountersignClient(this);
        }

        private static boolean isLoopback(String host) {
            return host.equalsIgnoreCase("localhost")
                    || host.startsWith("127.")
                    || host.equals("[::1]")
                    || host.equals("::1");
        }
    }
}
