package io.countersign.proxy.http;

import static java.util.Objects.requireNonNull;

import io.countersign.action.Action;
import io.countersign.identity.Secret;
import io.countersign.proxy.Enforcement;
import io.countersign.proxy.Hold;
import io.countersign.proxy.Login;
import io.countersign.proxy.Outcome;
import io.countersign.workflow.RequestId;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The HTTP API proxy: {@code /proxy/<name>/<path>} for each configured upstream and nothing else
 * (no open proxy, no redirects followed). Each request is one action decided through the
 * {@link Enforcement} seam; allowed or approved, it goes upstream once with the gateway's
 * credential and the answer streams back; held longer than the agent's {@code Prefer: wait=N}, it
 * is a 202 naming the request, and the agent sends the same request again with
 * {@code Countersign-Request: <id>} to have it run once approved.
 */
public final class HttpProxy implements AutoCloseable {
    public static final Duration DEFAULT_WAIT = Duration.ofSeconds(30);
    public static final Duration MAX_WAIT = Duration.ofMinutes(10);
    public static final String RETRY_HEADER = "Countersign-Request";

    private static final Pattern PREFER_WAIT = Pattern.compile("(?:^|[,;\\s])wait\\s*=\\s*\"?(\\d{1,9})\"?");

    private final Map<String, Configured> upstreams;
    private final Enforcement enforcement;
    private final Clock clock;
    private final HttpClient client;

    private record Configured(HttpProxyConfig config, Secret secret) {}

    private HttpProxy(Map<String, Configured> upstreams, Enforcement enforcement, Clock clock) {
        this.upstreams = Map.copyOf(upstreams);
        this.enforcement = requireNonNull(enforcement, "enforcement is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.client = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
    }

    /** Reads each upstream's secret from {@code environment}; refuses to start without one. */
    public static HttpProxy start(
            List<HttpProxyConfig> configs,
            Function<String, Optional<String>> environment,
            Enforcement enforcement,
            Clock clock) {
        Map<String, Configured> upstreams = new LinkedHashMap<>();
        for (HttpProxyConfig config : configs) {
            String variable = config.credential().valueEnv();
            Secret secret = new Secret(environment
                    .apply(variable)
                    .filter(value -> !value.isEmpty())
                    .orElseThrow(() -> new IllegalArgumentException("proxies.http '" + config.name()
                            + "': the environment variable " + variable + " (its credential) is not set")));
            if (upstreams.put(config.name(), new Configured(config, secret)) != null) {
                throw new IllegalArgumentException("proxies.http: two upstreams are named '" + config.name() + "'");
            }
        }
        return new HttpProxy(upstreams, enforcement, clock);
    }

    /** Whether {@code name} is a configured upstream. */
    public boolean serves(String name) {
        return upstreams.containsKey(name);
    }

    /** The largest body any upstream takes: what the HTTP server may read for {@code /proxy/...}. */
    public long maxBodyBytes(String name) {
        Configured configured = upstreams.get(name);
        return configured == null ? 0 : configured.config().maxBodyBytes();
    }

    /** Decides {@code request} for {@code agent} and answers it: streamed from upstream, or a problem. */
    public ProxyAnswer handle(Login.Admitted agent, ProxiedRequest request, ResponseSink sink) {
        requireNonNull(agent, "agent is null");
        requireNonNull(request, "request is null");
        requireNonNull(sink, "sink is null");
        Configured configured = upstreams.get(request.upstream());
        if (configured == null) {
            return ProxyAnswer.Problem.of(
                    404, "not-found", "Not found", "no upstream named '" + request.upstream() + "' is configured");
        }
        HttpProxyConfig config = configured.config();
        try {
            if (request.bodySize() > config.maxBodyBytes()) {
                throw new RefusedRequest(
                        413,
                        "the body is " + request.bodySize() + " bytes; upstream '" + config.name() + "' takes at most "
                                + config.maxBodyBytes());
            }
            ProxyPath path;
            try {
                path = ProxyPath.parse(request.rawPath());
            } catch (ProxyPath.BadPath e) {
                throw new RefusedRequest(400, java.util.Objects.requireNonNullElse(e.getMessage(), "bad path"));
            }
            HttpActions.Query query = HttpActions.Query.parse(request.rawQuery(), credentialParameter(config));
            Action action = HttpActions.toAction(config, request, path, query);
            Optional<RequestId> retry = retryOf(request);
            Duration wait = wait(request);
            UpstreamCall call = new UpstreamCall(client, config, configured.secret(), request, path, query);
            HeldUntil hold = new HeldUntil(clock.instant().plus(wait));
            Outcome outcome = retry.isPresent()
                    ? enforcement.resume(agent, retry.get(), action, hold, call)
                    : enforcement.enforce(agent, List.of(action), hold, call);
            return switch (outcome) {
                case Outcome.Executed executed -> new ProxyAnswer.Streamed(call.streamTo(sink));
                case Outcome.UpstreamFailed failed ->
                    call.timedOut()
                            ? ProxyAnswer.Problem.of(
                                    504, "upstream-timeout", "The upstream did not answer in time", failed.message())
                            : ProxyAnswer.Problem.of(
                                    502, "upstream-unreachable", "The upstream could not be reached", failed.message());
                case Outcome.Refused refused -> Refusals.problem(refused, retry.isPresent(), hold.pending());
            };
        } catch (RefusedRequest e) {
            return ProxyAnswer.Problem.of(
                    e.status(),
                    e.status() == 413 ? "too-large" : "bad-request",
                    e.status() == 413 ? "The body is too large" : "The request is malformed",
                    java.util.Objects.requireNonNullElse(e.getMessage(), "refused"));
        }
    }

    private static Optional<String> credentialParameter(HttpProxyConfig config) {
        return config.credential() instanceof HttpProxyConfig.Credential.Query query
                ? Optional.of(query.parameter())
                : Optional.empty();
    }

    private static Optional<RequestId> retryOf(ProxiedRequest request) throws RefusedRequest {
        Optional<String> header = request.header(RETRY_HEADER);
        if (header.isEmpty()) {
            return Optional.empty();
        }
        String id = header.get().trim();
        if (!RequestId.isValid(id)) {
            throw new RefusedRequest(400, RETRY_HEADER + " '" + id + "' is not a request id");
        }
        return Optional.of(new RequestId(id));
    }

    /** RFC 7240's {@code wait} preference, bounded by {@link #MAX_WAIT}; {@link #DEFAULT_WAIT} without one. */
    static Duration wait(ProxiedRequest request) {
        Optional<String> prefer = request.header("prefer");
        if (prefer.isEmpty()) {
            return DEFAULT_WAIT;
        }
        Matcher matcher = PREFER_WAIT.matcher(prefer.get().toLowerCase(java.util.Locale.ROOT));
        if (!matcher.find()) {
            return DEFAULT_WAIT;
        }
        Duration asked = Duration.ofSeconds(Long.parseLong(matcher.group(1)));
        return asked.compareTo(MAX_WAIT) > 0 ? MAX_WAIT : asked;
    }

    /** An HTTP agent can't be seen to leave mid-request; it stops waiting at its deadline and may come back. */
    private static final class HeldUntil implements Hold {
        private final Instant deadline;
        private volatile List<Pending> pending = List.of();

        HeldUntil(Instant deadline) {
            this.deadline = deadline;
        }

        @Override
        public void held(List<Pending> requests) {
            pending = List.copyOf(requests);
        }

        @Override
        public Optional<String> gone() {
            return Optional.empty();
        }

        @Override
        public Optional<Instant> deadline() {
            return Optional.of(deadline);
        }

        List<Pending> pending() {
            return pending;
        }
    }

    @Override
    public void close() {
        client.close();
    }
}
