package io.countersign.server.teams;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.countersign.identity.Secret;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Microsoft's side of a Teams bot, on a free loopback port: the client-credentials token endpoint,
 * the Bot Framework OpenID metadata and its JWKS (for an RSA key the test holds, so it signs the
 * connector's tokens itself), the Bot Connector's conversation API, and a Workflows webhook. It
 * records every call to check the payloads against the documented shapes.
 */
final class FakeTeams implements AutoCloseable {
    static final JsonMapper MAPPER = JsonMapper.builder().build();
    static final String APP_ID = "6f1a2b3c-0000-4000-8000-00000000b0b0";
    static final String APP_PASSWORD = "bot-password-never-logged";
    static final String ISSUER = "https://api.botframework.com";
    static final String CONVERSATION = "19:approvals@thread.tacv2";
    static final String TENANT = "72f988bf-0000-4000-8000-000000000001";

    record Call(String method, String path, String authorization, String body) {
        JsonNode json() {
            return MAPPER.readTree(body);
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(4);
    // RSA key generation takes a while; one key serves every fake in the run.
    private static final RSAKey SHARED_KEY = newKey("bot-connector-1");
    private final RSAKey key = SHARED_KEY;
    private final List<Call> calls = new ArrayList<>();
    private final Map<String, ObjectNode> members = new ConcurrentHashMap<>();
    private final AtomicInteger activities = new AtomicInteger();
    private final AtomicInteger connectorFailures = new AtomicInteger();
    private final AtomicInteger workflowRateLimited = new AtomicInteger();
    private volatile int tokenLifetimeSeconds = 3599;

    FakeTeams() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    static RSAKey newKey(String kid) {
        try {
            return new RSAKeyGenerator(2048)
                    .keyID(kid)
                    .keyUse(KeyUse.SIGNATURE)
                    .algorithm(JWSAlgorithm.RS256)
                    .generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The Bot Connector's URL, as the activity's {@code serviceUrl} and the token's {@code serviceurl} give it. */
    String serviceUrl() {
        return baseUrl() + "/connector/";
    }

    URI workflowUrl() {
        return URI.create(baseUrl() + "/workflows/abc/triggers/manual/paths/invoke?api-version=1&sig=workflow-secret");
    }

    TeamsConfig.Bot bot(Map<String, String> users) {
        return new TeamsConfig.Bot(
                APP_ID,
                new Secret(APP_PASSWORD),
                URI.create(baseUrl() + "/botframework.com/oauth2/v2.0/token"),
                TeamsConfig.DEFAULT_SCOPE,
                URI.create(baseUrl() + "/v1/.well-known/openidconfiguration"),
                ISSUER,
                URI.create(serviceUrl()),
                CONVERSATION,
                users,
                Optional.empty());
    }

    /** A conversation member, as {@code GET /v3/conversations/{id}/members/{userId}} returns it (TeamsChannelAccount). */
    void member(String userId, String aadObjectId, String userPrincipalName) {
        ObjectNode member = MAPPER.createObjectNode();
        member.put("id", userId)
                .put("name", userPrincipalName)
                .put("aadObjectId", aadObjectId)
                .put("userPrincipalName", userPrincipalName)
                .put("email", userPrincipalName)
                .put("tenantId", TENANT)
                .put("userRole", "user");
        members.put(userId, member);
    }

    /** The next {@code count} Bot Connector calls answer 503. */
    void failConnector(int count) {
        connectorFailures.set(count);
    }

    void tokenLifetime(Duration lifetime) {
        tokenLifetimeSeconds = (int) lifetime.toSeconds();
    }

    // --- tokens the Bot Connector would send

    JWTClaimsSet.Builder validClaims() {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .audience(APP_ID)
                .notBeforeTime(Date.from(now.minusSeconds(60)))
                .expirationTime(Date.from(now.plusSeconds(3600)))
                .issueTime(Date.from(now.minusSeconds(60)))
                .claim("serviceurl", serviceUrl());
    }

    String token() {
        return sign(validClaims().build(), key);
    }

    String token(JWTClaimsSet claims) {
        return sign(claims, key);
    }

    static String sign(JWTClaimsSet claims, RSAKey signingKey) {
        try {
            SignedJWT jwt = new SignedJWT(
                    new JWSHeader.Builder(JWSAlgorithm.RS256)
                            .type(JOSEObjectType.JWT)
                            .keyID(signingKey.getKeyID())
                            .build(),
                    claims);
            jwt.sign(new RSASSASigner(signingKey));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The same claims, signed by a key nobody published but under the published key's id. */
    String forgedToken() {
        return sign(validClaims().build(), newKey(key.getKeyID()));
    }

    String unsignedToken() {
        return new PlainJWT(validClaims().build()).serialize();
    }

    // --- an invoke as Teams sends it for an Action.Execute click

    String invoke(String verb, String requestId, String comment, String userId, String aadObjectId) {
        ObjectNode activity = MAPPER.createObjectNode();
        activity.put("type", "invoke")
                .put("name", "adaptiveCard/action")
                .put("id", "f:" + System.nanoTime())
                .put("channelId", "msteams")
                .put("serviceUrl", serviceUrl())
                .put("timestamp", Instant.now().toString());
        activity.putObject("from").put("id", userId).put("name", "Someone").put("aadObjectId", aadObjectId);
        activity.putObject("conversation")
                .put("id", CONVERSATION + ";messageid=1700000000000")
                .put("conversationType", "channel")
                .put("tenantId", TENANT)
                .put("isGroup", true);
        activity.putObject("recipient").put("id", "28:" + APP_ID).put("name", "Countersign");
        activity.putObject("channelData").putObject("tenant").put("id", TENANT);
        ObjectNode action = activity.putObject("value").put("trigger", "manual").putObject("action");
        action.put("type", "Action.Execute").put("verb", verb).put("id", verb);
        ObjectNode data = action.putObject("data").put("requestId", requestId);
        if (comment != null) {
            data.put("comment", comment);
        }
        return MAPPER.writeValueAsString(activity);
    }

    // --- what was received

    /** Waits (up to 30 s) until the gateway's outbox worker has made the calls the condition looks for. */
    static void await(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > until) {
                throw new AssertionError("after 30 s still waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    synchronized List<Call> calls() {
        return List.copyOf(calls);
    }

    List<Call> calls(String method, String pathPrefix) {
        return calls().stream()
                .filter(call -> call.method().equals(method) && call.path().startsWith(pathPrefix))
                .toList();
    }

    /** Activities the connector accepted (failed attempts are in {@link #posted()} but not counted here). */
    int activitiesCreated() {
        return activities.get();
    }

    List<Call> tokenRequests() {
        return calls("POST", "/botframework.com/");
    }

    List<Call> posted() {
        return calls("POST", "/connector/v3/conversations/" + CONVERSATION + "/activities");
    }

    List<Call> updated() {
        return calls("PUT", "/connector/v3/conversations/" + CONVERSATION + "/activities/");
    }

    /** The next {@code posts} Workflows posts get 429 with {@code Retry-After: 90}. */
    void rateLimitWorkflows(int posts) {
        workflowRateLimited.set(posts);
    }

    List<Call> workflowPosts() {
        return calls("POST", "/workflows/");
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            synchronized (this) {
                calls.add(new Call(method, path, exchange.getRequestHeaders().getFirst("Authorization"), body));
            }
            if (path.equals("/v1/.well-known/openidconfiguration")) {
                reply(
                        exchange,
                        200,
                        MAPPER.createObjectNode()
                                .put("issuer", ISSUER)
                                .put("jwks_uri", baseUrl() + "/v1/.well-known/keys")
                                .set(
                                        "id_token_signing_alg_values_supported",
                                        MAPPER.createArrayNode().add("RS256")));
            } else if (path.equals("/v1/.well-known/keys")) {
                send(exchange, 200, new JWKSet(key.toPublicJWK()).toString());
            } else if (path.startsWith("/botframework.com/")) {
                reply(
                        exchange,
                        200,
                        MAPPER.createObjectNode()
                                .put("token_type", "Bearer")
                                .put("expires_in", tokenLifetimeSeconds)
                                .put("ext_expires_in", tokenLifetimeSeconds)
                                .put(
                                        "access_token",
                                        "connector-token-" + tokenRequests().size()));
            } else if (path.startsWith("/connector/")) {
                if (body.getBytes(StandardCharsets.UTF_8).length > 40 * 1024) {
                    send(
                            exchange,
                            413,
                            "{\"error\":{\"code\":\"MessageSizeTooBig\",\"message\":\"Message size too big\"}}");
                } else if (connectorFailures.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
                    send(exchange, 503, "{\"error\":{\"code\":\"ServiceError\",\"message\":\"down for the test\"}}");
                } else if (method.equals("GET") && path.contains("/members/")) {
                    ObjectNode member =
                            members.get(path.substring(path.lastIndexOf("/members/") + "/members/".length()));
                    if (member == null) {
                        send(
                                exchange,
                                404,
                                "{\"error\":{\"code\":\"MemberNotFoundInConversation\",\"message\":\"no such member\"}}");
                    } else {
                        reply(exchange, 200, member);
                    }
                } else if (method.equals("POST")) {
                    reply(
                            exchange,
                            201,
                            MAPPER.createObjectNode().put("id", "1700000000" + activities.incrementAndGet()));
                } else if (method.equals("PUT")) {
                    reply(
                            exchange,
                            200,
                            MAPPER.createObjectNode().put("id", path.substring(path.lastIndexOf('/') + 1)));
                } else {
                    send(exchange, 405, "");
                }
            } else if (path.startsWith("/workflows/")) {
                // Workflows refuses a post over about 28 KB: "Request Entity too large".
                if (body.getBytes(StandardCharsets.UTF_8).length > 28 * 1024) {
                    send(
                            exchange,
                            413,
                            "{\"error\":{\"code\":\"RequestEntityTooLarge\",\"message\":\"Request Entity too large\"}}");
                } else if (workflowRateLimited.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
                    exchange.getResponseHeaders().set("Retry-After", "90");
                    send(exchange, 429, "{\"error\":{\"code\":\"TooManyRequests\",\"message\":\"slow down\"}}");
                } else {
                    send(exchange, 202, "");
                }
            } else {
                send(exchange, 404, "");
            }
        }
    }

    private static void reply(HttpExchange exchange, int status, JsonNode json) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        send(exchange, status, MAPPER.writeValueAsString(json));
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
