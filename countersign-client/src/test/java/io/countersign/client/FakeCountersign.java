package io.countersign.client;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A Countersign server that speaks the Public API v1 wire format for agents, with a policy of one
 * rule per action name, in memory, on 127.0.0.1 and a free port. Tests script humans with
 * {@link #onRead}, break calls with {@link #failNext}, and read what arrived with {@link #calls()}.
 */
final class FakeCountersign implements AutoCloseable {
    static final String API_KEY = "cs_agent_7Hq2vX9LmP4tR8sK";
    private static final Pattern ONE_REQUEST = Pattern.compile("/v1/actions/([^/]+)(/cancel|/execution)?");
    private static final Pattern WAIT = Pattern.compile("wait=(\\d+)s");

    /** One call as it arrived. */
    record Call(String method, String path, String query, Headers headers, String body) {
        JsonNode json() {
            return WireFormat.MAPPER.readTree(body);
        }
    }

    /** What a scripted human or the clock does to a request when an agent reads it. */
    interface Event {
        void apply(FakeCountersign fake, Req request);
    }

    /** A one-off misbehaviour, used instead of the normal answer. */
    interface Failure {
        void answer(HttpExchange exchange) throws IOException;
    }

    private record Rule(String effect, String name, String reason) {}

    static final class Req {
        final String id;
        final ObjectNode action;
        final Rule rule;
        final String policyVersion = "sha256:5f1c0ffee";
        String status;
        String grant;
        int reads;
        final ArrayNode votes = JsonNodeFactory.instance.arrayNode();
        String decidedBy;
        Instant decidedAt;
        ObjectNode execution;
        final Instant createdAt = Instant.now();

        Req(String id, ObjectNode action, Rule rule) {
            this.id = id;
            this.action = action;
            this.rule = rule;
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<String, Rule> rules = new HashMap<>();
    private final Map<String, Req> requests = new HashMap<>();
    private final Map<String, String> idempotencyKeys = new HashMap<>();
    private final Map<Integer, Event> onRead = new HashMap<>();
    private final Queue<Failure> failures = new ArrayDeque<>();
    private final List<Call> calls = new ArrayList<>();
    private long pendingHoldMillis = Long.MAX_VALUE;
    private int nextId = 1;

    FakeCountersign() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    synchronized FakeCountersign rule(String action, String effect, String name, String reason) {
        rules.put(action, new Rule(effect, name, reason));
        return this;
    }

    /** When an agent's GET is the {@code n}th read of a request, {@code event} happens first. */
    synchronized FakeCountersign onRead(int n, Event event) {
        onRead.put(n, event);
        return this;
    }

    /** Holds pending answers at most this long, as if a vote short of the quorum woke the poll. */
    synchronized FakeCountersign holdPendingAtMost(long millis) {
        pendingHoldMillis = millis;
        return this;
    }

    synchronized FakeCountersign failNext(Failure failure) {
        failures.add(failure);
        return this;
    }

    synchronized List<Call> calls() {
        return List.copyOf(calls);
    }

    synchronized Req request(String id) {
        return requests.get(id);
    }

    static Event approvedBy(String human) {
        return (fake, r) -> fake.vote(r, human, "approve", "ok", "approved");
    }

    static Event deniedBy(String human, String comment) {
        return (fake, r) -> fake.vote(r, human, "deny", comment, "denied");
    }

    static Event expired() {
        return (fake, r) -> fake.decide(r, "expired", "countersign");
    }

    static Failure closeWithoutAnswer() {
        return HttpExchange::close;
    }

    static Failure answer(int status, String contentType, String body) {
        return exchange -> send(exchange, status, contentType, body);
    }

    private void vote(Req r, String human, String choice, String comment, String status) {
        r.votes
                .addObject()
                .put("voter", human)
                .put("choice", choice)
                .put("comment", comment)
                .put("time", Instant.now().toString())
                .put("channel", "slack");
        decide(r, status, human);
    }

    private void decide(Req r, String status, String by) {
        r.status = status;
        r.decidedBy = by;
        r.decidedAt = Instant.now();
        if (status.equals("approved")) {
            r.grant = "gr_" + r.id + "_" + Long.toHexString(System.nanoTime());
        }
        notifyAll();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath();
            String query = exchange.getRequestURI().getRawQuery();
            Failure failure;
            synchronized (this) {
                calls.add(new Call(method, path, query, exchange.getRequestHeaders(), body));
                failure = failures.poll();
            }
            if (failure != null) {
                failure.answer(exchange);
                return;
            }
            if (!("Bearer " + API_KEY).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                problem(exchange, 401, "Unauthorized", "unknown API key");
                return;
            }
            long waitMillis = 0;
            if (query != null) {
                Matcher wait = WAIT.matcher(query);
                if (!wait.matches() || Long.parseLong(wait.group(1)) > 60) {
                    problem(exchange, 400, "Bad Request", "wait is '" + query + "', want 0s to 60s");
                    return;
                }
                waitMillis = Long.parseLong(wait.group(1)) * 1000;
            }
            Matcher one = ONE_REQUEST.matcher(path);
            if (method.equals("POST") && path.equals("/v1/actions")) {
                submit(exchange, WireFormat.MAPPER.readTree(body), waitMillis);
            } else if (method.equals("POST") && path.equals("/v1/decisions/simulate")) {
                ObjectNode action = (ObjectNode) WireFormat.MAPPER.readTree(body);
                json(exchange, 200, decision(ruleFor(action), "sha256:5f1c0ffee"));
            } else if (one.matches()) {
                Req r;
                synchronized (this) {
                    r = requests.get(one.group(1));
                }
                if (r == null) {
                    problem(exchange, 404, "Not Found", "no request " + one.group(1));
                } else if (method.equals("GET") && one.group(2) == null) {
                    read(exchange, r, waitMillis);
                } else if (method.equals("POST") && "/cancel".equals(one.group(2))) {
                    cancel(exchange, r);
                } else if (method.equals("POST") && "/execution".equals(one.group(2))) {
                    execution(exchange, r, WireFormat.MAPPER.readTree(body));
                } else {
                    problem(exchange, 405, "Method Not Allowed", method + " " + path);
                }
            } else {
                problem(exchange, 404, "Not Found", path);
            }
        }
    }

    private Rule ruleFor(JsonNode action) {
        synchronized (this) {
            return rules.getOrDefault(action.get("action").stringValue(), new Rule("deny", null, "no rule matched"));
        }
    }

    private void submit(HttpExchange exchange, JsonNode body, long waitMillis) throws IOException {
        Req r;
        synchronized (this) {
            JsonNode key = body.get("idempotencyKey");
            String existing = key == null ? null : idempotencyKeys.get(key.stringValue());
            if (existing != null) {
                r = requests.get(existing);
            } else {
                ObjectNode action = ((ObjectNode) body).deepCopy();
                action.remove("idempotencyKey");
                r = new Req("req_" + nextId++, action, ruleFor(body));
                requests.put(r.id, r);
                if (key != null) {
                    idempotencyKeys.put(key.stringValue(), r.id);
                }
                switch (r.rule.effect()) {
                    case "allow" -> decide(r, "approved", null);
                    case "deny" -> decide(r, "denied", null);
                    default -> r.status = "pending";
                }
            }
            hold(r, waitMillis);
        }
        answer(exchange, r);
    }

    private void read(HttpExchange exchange, Req r, long waitMillis) throws IOException {
        synchronized (this) {
            Event event = onRead.get(++r.reads);
            if (event != null) {
                event.apply(this, r);
            }
            hold(r, waitMillis);
        }
        json(exchange, 200, body(r));
    }

    private void cancel(HttpExchange exchange, Req r) throws IOException {
        synchronized (this) {
            if (r.status.equals("pending")) {
                decide(r, "cancelled", "agent");
            }
        }
        json(exchange, 200, body(r));
    }

    private void execution(HttpExchange exchange, Req r, JsonNode body) throws IOException {
        synchronized (this) {
            String token = body.get("grant").stringValue();
            if (!token.equals(r.grant)) {
                boolean another = requests.values().stream().anyMatch(other -> token.equals(other.grant));
                problem(
                        exchange,
                        another ? 422 : 409,
                        another ? "Unprocessable Content" : "Conflict",
                        another ? "grant belongs to another action" : "grant is used or expired");
                return;
            }
            r.grant = null;
            String outcome = body.get("outcome").stringValue();
            r.status = outcome.equals("succeeded") ? "executed" : "failed";
            r.execution = JsonNodeFactory.instance
                    .objectNode()
                    .put("outcome", outcome)
                    .put("time", Instant.now().toString());
            if (body.hasNonNull("detail")) {
                r.execution.put("detail", body.get("detail").stringValue());
            }
        }
        json(exchange, 200, body(r));
    }

    /** Holds the caller's thread (and this monitor's lock is released meanwhile) while pending. */
    private void hold(Req r, long waitMillis) {
        long deadline = System.currentTimeMillis() + Math.min(waitMillis, pendingHoldMillis);
        long left;
        while (r.status.equals("pending") && (left = deadline - System.currentTimeMillis()) > 0) {
            try {
                wait(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void answer(HttpExchange exchange, Req r) throws IOException {
        ObjectNode body = body(r);
        json(exchange, body.get("status").stringValue().equals("pending") ? 202 : 200, body);
    }

    private synchronized ObjectNode body(Req r) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("id", r.id).put("status", r.status);
        ObjectNode action = body.putObject("action");
        action.put("action", r.action.get("action").stringValue())
                .put("resource", r.action.get("resource").stringValue());
        action.set("params", r.action.get("params"));
        action.put("reason", r.action.get("reason").stringValue());
        action.set("onBehalfOf", r.action.get("onBehalfOf"));
        body.put("agent", "report-bot");
        body.set("decision", decision(r.rule, r.policyVersion));
        if (r.grant != null && r.status.equals("approved")) {
            body.putObject("grant")
                    .put("token", r.grant)
                    .put("expiresAt", Instant.now().plusSeconds(300).toString());
        }
        if (r.rule.effect().equals("require_approval")) {
            ObjectNode approval = body.putObject("approval");
            approval.putArray("groups").add("data-owners");
            approval.put("quorum", 1)
                    .put("expiresAt", r.createdAt.plusSeconds(1800).toString())
                    .put("url", url() + "/v1/actions/" + r.id);
        }
        body.set("votes", r.votes.deepCopy());
        body.put("createdAt", r.createdAt.toString());
        if (r.decidedAt != null) {
            body.put("decidedAt", r.decidedAt.toString());
        }
        if (r.decidedBy != null) {
            body.put("decidedBy", r.decidedBy);
        }
        if (r.execution != null) {
            body.set("execution", r.execution.deepCopy());
        }
        return body;
    }

    private static ObjectNode decision(Rule rule, String policyVersion) {
        ObjectNode decision = JsonNodeFactory.instance.objectNode().put("effect", rule.effect());
        ArrayNode matched = decision.putArray("rules");
        if (rule.name() != null) {
            matched.add(rule.name());
        }
        if (rule.reason() != null) {
            decision.put("reason", rule.reason());
        }
        return decision.put("policyVersion", policyVersion);
    }

    private static void problem(HttpExchange exchange, int status, String title, String detail) throws IOException {
        ObjectNode problem = JsonNodeFactory.instance
                .objectNode()
                .put(
                        "type",
                        "https://countersign.io/problems/" + title.toLowerCase().replace(' ', '-'))
                .put("title", title)
                .put("status", status)
                .put("detail", detail)
                .put("instance", exchange.getRequestURI().getPath());
        send(exchange, status, "application/problem+json", problem.toString());
    }

    private static void json(HttpExchange exchange, int status, JsonNode body) throws IOException {
        send(exchange, status, "application/json", body.toString());
    }

    private static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
