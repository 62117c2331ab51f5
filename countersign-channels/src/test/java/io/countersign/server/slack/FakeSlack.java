package io.countersign.server.slack;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A local stand-in for the Slack Web API on 127.0.0.1: records every call (method, form params,
 * bearer token) and answers users.info, users.lookupByEmail, chat.postMessage (with a fresh ts),
 * chat.update, chat.postEphemeral and views.open the way Slack documents them. users.lookupByEmail
 * (https://docs.slack.dev/reference/methods/users.lookupByEmail) answers {@code users_not_found} for
 * an email no user has, {@code missing_scope} (with {@code needed: users:read.email}) when the token
 * lacks that scope ({@link #withoutScope}), and HTTP 429 past its Tier 3 budget of 50 calls a minute.
 * A chat.postMessage to a user id posts in the app's direct messages with that user and answers with
 * that conversation's id ({@code D...}), which chat.update then takes. Messages are held to Block Kit's
 * limits ({@link BlockKitValidator}): a message Slack would refuse gets {@code invalid_blocks} with
 * Slack's {@code errors} list, a text over 40,000 characters {@code msg_too_long}. A call with another
 * token gets {@code invalid_auth}; a channel {@link #refuseChannel refused} gets the code given;
 * {@link #rateLimitNext} answers HTTP 429 with {@code Retry-After}; {@link #goDown} makes every call a
 * 503, {@link #failNext} the next few.
 */
final class FakeSlack implements AutoCloseable {
    static final JsonMapper MAPPER = JsonMapper.builder().build();

    /** One call and what the fake answered ({@code {"ok":false,...}} when down). */
    record Call(String method, Map<String, String> params, String authorization, JsonNode answer) {
        String param(String name) {
            return params.getOrDefault(name, "");
        }

        /** A param Slack takes as JSON (blocks, view). */
        JsonNode json(String name) {
            return MAPPER.readTree(param(name));
        }
    }

    private record User(String email, boolean confirmed, boolean bot, boolean deleted) {}

    /** Slack's Tier 3: "50+ per minute"; the fake allows exactly 50 in any minute. */
    static final int TIER_3_PER_MINUTE = 50;

    private HttpServer server;
    private final String token;
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final Map<String, User> users = new ConcurrentHashMap<>();
    private final AtomicInteger messages = new AtomicInteger();
    private final AtomicBoolean down = new AtomicBoolean();
    private final AtomicInteger failures = new AtomicInteger();
    private final AtomicInteger rateLimited = new AtomicInteger();
    private final AtomicInteger passBeforeLimit = new AtomicInteger();
    private final AtomicInteger limitAfter = new AtomicInteger();
    private volatile int retryAfterSeconds = 1;
    private final Map<String, String> refusedChannels = new ConcurrentHashMap<>();
    private final AtomicInteger refusedMessages = new AtomicInteger();
    private final Set<String> scopes = ConcurrentHashMap.newKeySet();
    private final Deque<Long> lookups = new ArrayDeque<>();

    FakeSlack(String token) throws IOException {
        this.token = token;
        scopes.addAll(Set.of("chat:write", "users:read", "users:read.email"));
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/api/", this::handle);
        server.start();
    }

    /** The Web API base URL, for {@code slack.apiBaseUrl}. */
    String apiBaseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/api/";
    }

    void user(String id, String email, boolean emailConfirmed) {
        users.put(id, new User(email, emailConfirmed, false, false));
    }

    /** A deactivated account: users.lookupByEmail still finds it, with {@code deleted: true}. */
    void deactivatedUser(String id, String email) {
        users.put(id, new User(email, true, false, true));
    }

    /** The token no longer has {@code scope}: the methods that need it answer {@code missing_scope}. */
    void withoutScope(String scope) {
        scopes.remove(scope);
    }

    /** Unreachable: the port refuses connections until {@link #comeBack()}. */
    void goAway() {
        server.stop(0);
    }

    /** Back on the same port, as Slack after an outage. */
    void comeBack() throws IOException {
        int port = server.getAddress().getPort();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        server.createContext("/api/", this::handle);
        server.start();
    }

    void goDown(boolean isDown) {
        down.set(isDown);
    }

    /** The next {@code calls} calls get a 503, as from a Slack outage. */
    void failNext(int calls) {
        failures.set(calls);
    }

    /** The next {@code calls} calls get HTTP 429 with {@code Retry-After: seconds}, as Slack rate-limits. */
    void rateLimitNext(int calls, int seconds) {
        retryAfterSeconds = seconds;
        rateLimited.set(calls);
    }

    /** After {@code calls} more calls are answered, the next {@code limited} get HTTP 429 with {@code Retry-After: seconds}. */
    void rateLimitAfter(int calls, int limited, int seconds) {
        retryAfterSeconds = seconds;
        limitAfter.set(limited);
        passBeforeLimit.set(calls);
    }

    /** Posts to {@code channel} are answered {@code {"ok": false, "error": code}} ({@code channel_not_found}, {@code not_in_channel}). */
    void refuseChannel(String channel, String code) {
        refusedChannels.put(channel, code);
    }

    /**
     * The next {@code messages} chat.postMessage or chat.update calls with blocks are refused as
     * {@code invalid_blocks} (with an {@code errors} detail), as Slack refuses blocks it finds wrong.
     */
    void refuseNextBlocks(int messages) {
        refusedMessages.set(messages);
    }

    List<Call> calls() {
        return List.copyOf(calls);
    }

    List<Call> calls(String method) {
        return calls.stream().filter(call -> call.method().equals(method)).toList();
    }

    /** The first call of {@code method} that matches, waiting up to 10 s for it. */
    Call await(String method, Predicate<Call> matching) throws InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < until) {
            for (Call call : calls(method)) {
                if (matching.test(call)) {
                    return call;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no matching " + method + " call within 10 s; calls were "
                + calls.stream().map(Call::method).toList() + "; the " + method + " calls had "
                + calls(method).stream().map(Call::params).toList());
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestURI().getPath().substring("/api/".length());
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String contentType = String.valueOf(exchange.getRequestHeaders().getFirst("Content-Type"));
            Map<String, String> params = contentType.startsWith("application/json") ? jsonParams(body) : form(body);
            String authorization = String.valueOf(exchange.getRequestHeaders().getFirst("Authorization"));
            if (down.get() || failures.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
                calls.add(new Call(method, params, authorization, error("service_unavailable")));
                send(exchange, 503, "{\"ok\":false,\"error\":\"service_unavailable\"}");
                return;
            }
            if (passBeforeLimit.getAndUpdate(left -> Math.max(0, left - 1)) == 0 && limitAfter.get() > 0) {
                rateLimited.addAndGet(limitAfter.getAndSet(0));
            }
            if (rateLimited.getAndUpdate(left -> Math.max(0, left - 1)) > 0
                    || (method.equals("users.lookupByEmail") && overTier3())) {
                calls.add(new Call(method, params, authorization, error("ratelimited")));
                exchange.getResponseHeaders().add("Retry-After", String.valueOf(retryAfterSeconds));
                send(exchange, 429, "{\"ok\":false,\"error\":\"ratelimited\"}");
                return;
            }
            ObjectNode answer =
                    authorization.equals("Bearer " + token) ? answer(method, params) : error("invalid_auth");
            calls.add(new Call(method, params, authorization, answer));
            send(exchange, 200, MAPPER.writeValueAsString(answer));
        }
    }

    private ObjectNode answer(String method, Map<String, String> params) {
        ObjectNode answer = MAPPER.createObjectNode();
        answer.put("ok", true);
        if (method.equals("chat.postMessage") || method.equals("chat.update")) {
            String refused = refusedChannels.get(params.getOrDefault("channel", ""));
            if (refused != null) {
                return error(refused);
            }
            if (params.getOrDefault("text", "").length() > 40_000) {
                return error("msg_too_long");
            }
            if (params.containsKey("blocks")) {
                List<String> problems = refusedMessages.getAndUpdate(left -> Math.max(0, left - 1)) > 0
                        ? List.of("must be less than 3001 characters [json-pointer:/blocks/2/text/text]")
                        : BlockKitValidator.problems(MAPPER.readTree(params.get("blocks")));
                if (!problems.isEmpty()) {
                    ObjectNode error = error("invalid_blocks");
                    problems.forEach(error.putArray("errors")::add);
                    problems.forEach(error.putObject("response_metadata").putArray("messages")::add);
                    return error;
                }
            }
        }
        switch (method) {
            case "users.lookupByEmail" -> {
                if (!scopes.contains("users:read.email")) {
                    ObjectNode error = error("missing_scope");
                    error.put("needed", "users:read.email");
                    error.put("provided", String.join(",", new java.util.TreeSet<>(scopes)));
                    return error;
                }
                String email = params.getOrDefault("email", "");
                Optional<Map.Entry<String, User>> found = users.entrySet().stream()
                        .filter(entry -> entry.getValue().email().equalsIgnoreCase(email))
                        .findFirst();
                if (found.isEmpty()) {
                    return error("users_not_found");
                }
                ObjectNode json = answer.putObject("user");
                json.put("id", found.get().getKey());
                json.put("is_bot", found.get().getValue().bot());
                json.put("deleted", found.get().getValue().deleted());
                json.putObject("profile").put("email", found.get().getValue().email());
            }
            case "users.info" -> {
                User user = users.get(params.get("user"));
                if (user == null) {
                    return error("user_not_found");
                }
                ObjectNode json = answer.putObject("user");
                json.put("id", params.get("user"));
                json.put("is_bot", user.bot());
                json.put("deleted", user.deleted());
                json.put("is_email_confirmed", user.confirmed());
                json.putObject("profile").put("email", user.email());
            }
            case "chat.postMessage" -> {
                if (params.getOrDefault("channel", "").isBlank()) {
                    return error("channel_not_found");
                }
                String ts = "1700000000." + String.format("%06d", messages.incrementAndGet());
                answer.put("channel", conversationOf(params.get("channel")));
                answer.put("ts", ts);
                answer.putObject("message")
                        .put("text", params.getOrDefault("text", ""))
                        .put("ts", ts);
            }
            case "chat.update" -> {
                answer.put("channel", params.get("channel"));
                answer.put("ts", params.get("ts"));
            }
            case "chat.postEphemeral" -> answer.put("message_ts", "1700000001.000001");
            case "views.open" -> answer.putObject("view").put("id", "V0FAKE");
            default -> {
                return error("unknown_method");
            }
        }
        return answer;
    }

    /** A user id names the app's direct messages with that user (D + the id's rest); a channel id itself. */
    private String conversationOf(String channel) {
        return users.containsKey(channel) ? "D" + channel.substring(1) : channel;
    }

    /** Messages posted to one user's direct messages, as chat.postMessage calls. */
    List<Call> directMessagesTo(String userId) {
        return calls("chat.postMessage").stream()
                .filter(call -> call.param("channel").equals(userId)
                        && call.answer().path("ok").asBoolean())
                .toList();
    }

    /** Whether this lookup goes past Tier 3's budget for the last minute. */
    private boolean overTier3() {
        long now = System.nanoTime();
        synchronized (lookups) {
            while (!lookups.isEmpty()
                    && now - lookups.peekFirst() > Duration.ofMinutes(1).toNanos()) {
                lookups.pollFirst();
            }
            if (lookups.size() >= TIER_3_PER_MINUTE) {
                return true;
            }
            lookups.addLast(now);
            return false;
        }
    }

    private static ObjectNode error(String code) {
        ObjectNode error = MAPPER.createObjectNode();
        error.put("ok", false);
        error.put("error", code);
        return error;
    }

    private static Map<String, String> form(String body) {
        Map<String, String> params = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            String name = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
            String value = equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
            params.put(name, value);
        }
        return params;
    }

    private static Map<String, String> jsonParams(String body) {
        Map<String, String> params = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : MAPPER.readTree(body).properties()) {
            params.put(
                    field.getKey(),
                    field.getValue().isString()
                            ? field.getValue().stringValue()
                            : field.getValue().toString());
        }
        return params;
    }

    private static void send(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
