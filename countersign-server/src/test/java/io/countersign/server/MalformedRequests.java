package io.countersign.server;

import io.countersign.server.http.RouteInfo;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A seeded generator of malformed HTTP/1.1 requests over a gateway's routes: each request is one
 * route with one kind of damage to its path, query string, headers, framing, encoding or body.
 */
final class MalformedRequests {
    /** One generated request: what was damaged, where it went, and its exact bytes. */
    record Generated(String damage, String method, String path, byte[] raw) {
        /** A browser's page, answered with the console's error page (the provider's back-channel logout is not). */
        boolean forConsole() {
            return (path.equals("/console") || path.startsWith("/console/"))
                    && !path.startsWith("/console/oidc/backchannel-logout");
        }
    }

    private static final String ACTION =
            "{\"action\":\"db.export\",\"resource\":\"db/prod/fuzz\",\"reason\":\"r\",\"params\":{\"a\":\"b\"},"
                    + "\"onBehalfOf\":\"alice\",\"idempotencyKey\":\"k\"}";
    private static final Map<String, String> BODIES = Map.ofEntries(
            Map.entry("/v1/actions", ACTION),
            Map.entry(
                    "/v1/decisions/simulate",
                    "{\"action\":\"db.query\",\"resource\":\"db/x\",\"reason\":\"r\",\"agent\":\"reporter\"}"),
            Map.entry("/v1/actions/{id}/approve", "{\"comment\":\"ok\"}"),
            Map.entry("/v1/actions/{id}/deny", "{\"comment\":\"no\"}"),
            Map.entry("/v1/actions/{id}/review", "{\"comment\":\"seen\"}"),
            Map.entry(
                    "/v1/actions/{id}/execution", "{\"grant\":\"cgr_x.y\",\"outcome\":\"succeeded\",\"detail\":\"d\"}"),
            Map.entry(
                    "/v1/admin/agents",
                    "{\"name\":\"fuzzed\",\"labels\":{\"team\":\"x\"},\"scopes\":[\"db.*\"],\"expiresIn\":\"30d\"}"),
            Map.entry("/v1/admin/agents/{name}/suspend", "{\"reason\":\"fuzz\"}"),
            Map.entry("/v1/admin/breakers/{agent}/{breaker}/reset", "{\"comment\":\"c\"}"),
            Map.entry("/v1/policy/changes", "{\"policy\":\"default: deny\\n\",\"reason\":\"r\"}"),
            Map.entry("/v1/policy/replay", "{\"policy\":\"default: deny\\n\",\"since\":\"30d\"}"),
            Map.entry(
                    "/integrations/claude-code/pre-tool-use",
                    "{\"hook_event_name\":\"PreToolUse\",\"tool_name\":\"Bash\",\"session_id\":\"s\",\"tool_input\":{\"command\":\"ls\"}}"));
    private static final List<String> BAD_STRINGS =
            List.of("\\ud800", "x\\udfff", "\\u0000", "\\udc00\\ud800", "\\uZZZZ", "\\");
    private static final List<byte[]> BAD_BYTES = List.of(
            new byte[] {(byte) 0xff},
            new byte[] {(byte) 0xc0, (byte) 0x80},
            new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
            new byte[] {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
            new byte[] {0});
    private static final List<String> BAD_PATH_PARTS = List.of(
            "%00",
            "%ff",
            "%",
            "%zz",
            "%2",
            "%ED%A0%80",
            "%C0%AF",
            "..",
            "%2e%2e",
            "//",
            "%2F",
            ";x=y",
            "\\",
            "%u0041",
            "\u00e9",
            "a b",
            "%0d%0aX-Injected:%20y");
    private static final List<String> BAD_QUERIES = List.of(
            "wait=",
            "wait=-1s",
            "wait=99999999999999999999s",
            "wait=%",
            "start=-1&end=x",
            "start=1&start=2",
            "index=%00",
            "status=%ff",
            "from=9&to=1",
            "%=%",
            "a=%ED%A0%80",
            "since=1e999",
            "limit=-5",
            "size=x&index=y");
    private static final List<String> CONTENT_TYPES = List.of(
            "multipart/form-data; boundary=x",
            "multipart/mixed",
            "application/x-www-form-urlencoded",
            "text/plain",
            "application/json; charset=utf-16",
            "application/json; charset=bogus",
            "garbage",
            "",
            "application/json;;;");

    private final Random random;
    private final List<RouteInfo> routes;
    private final List<String> tokens;
    private final Map<String, String> pathValues;

    MalformedRequests(long seed, List<RouteInfo> routes, List<String> tokens, Map<String, String> pathValues) {
        this.random = new Random(seed);
        this.routes = List.copyOf(routes);
        this.tokens = List.copyOf(tokens);
        this.pathValues = Map.copyOf(pathValues);
    }

    Generated next() {
        RouteInfo route = routes.get(random.nextInt(routes.size()));
        String path = fill(route.path());
        String query = "";
        String body = BODIES.getOrDefault(
                route.path(),
                route.path().startsWith("/console") ? "csrf=x&comment=c&id=" + pathValues.get("id") : "{}");
        byte[] bodyBytes = body.getBytes(StandardCharsets.UTF_8);
        String contentType =
                route.path().startsWith("/console") ? "application/x-www-form-urlencoded" : "application/json";
        String framing = "length";
        StringBuilder extraHeaders = new StringBuilder();
        boolean host = true;
        String damage;
        switch (random.nextInt(8)) {
            case 0 -> {
                String part = pick(BAD_PATH_PARTS);
                int at = random.nextInt(path.length() + 1);
                path = at == 0 ? "/" + part + path : path.substring(0, at) + part + path.substring(at);
                damage = "path " + part;
            }
            case 1 -> {
                query = pick(BAD_QUERIES);
                damage = "query " + query;
            }
            case 2 -> {
                String bad = pick(BAD_STRINGS);
                bodyBytes = replaceAValue(body, "\"" + bad + "\"");
                damage = "body text " + bad;
            }
            case 3 -> {
                bodyBytes = bodyDamage(body);
                damage = "body bytes";
            }
            case 4 -> {
                contentType = pick(CONTENT_TYPES);
                damage = "content type " + contentType;
            }
            case 5 -> {
                framing = pick(List.of(
                        "two lengths",
                        "bad length",
                        "negative length",
                        "chunked and length",
                        "bad chunk",
                        "chunked",
                        "short body",
                        "long body",
                        "no length"));
                damage = "framing " + framing;
            }
            case 6 -> {
                int kind = random.nextInt(6);
                damage = switch (kind) {
                    case 0 -> {
                        host = false;
                        yield "no host";
                    }
                    case 1 -> {
                        extraHeaders
                                .append("X-Big: ")
                                .append("a".repeat(20_000))
                                .append("\r\n");
                        yield "431 headers";
                    }
                    case 2 -> {
                        path = path + "/" + "p".repeat(70_000);
                        yield "414 uri";
                    }
                    case 3 -> {
                        extraHeaders.append("Content-Encoding: gzip\r\n");
                        yield "gzip claimed";
                    }
                    case 4 -> {
                        extraHeaders.append("Host: second.example\r\n");
                        yield "two hosts";
                    }
                    default -> {
                        extraHeaders
                                .append("Cookie: countersign_session=")
                                .append(random.nextLong())
                                .append("\r\n");
                        yield "stale cookie";
                    }
                };
            }
            default -> {
                extraHeaders
                        .append("Authorization: ")
                        .append(pick(List.of(
                                "Bearer",
                                "Bearer ",
                                "Basic Zm9vOmJhcg==",
                                "Bearer \u00ff\u00fe",
                                "Bearer csa_0000_x",
                                "Bearer " + "z".repeat(5000))))
                        .append("\r\n");
                damage = "authorization";
            }
        }
        if (!damage.equals("authorization") && random.nextInt(4) > 0) {
            extraHeaders.append("Authorization: Bearer ").append(pick(tokens)).append("\r\n");
        }
        return new Generated(
                damage,
                route.method(),
                path,
                raw(
                        route.method(),
                        path + (query.isEmpty() ? "" : "?" + query),
                        host,
                        contentType,
                        extraHeaders.toString(),
                        framing,
                        bodyBytes));
    }

    private String fill(String pattern) {
        String path = pattern;
        for (Map.Entry<String, String> value : pathValues.entrySet()) {
            path = path.replace(
                    "{" + value.getKey() + "}", random.nextInt(5) == 0 ? "x" + random.nextInt(1000) : value.getValue());
        }
        return path.replaceAll("\\{[^}]+}", "unknown");
    }

    private byte[] replaceAValue(String body, String json) {
        int colon = body.indexOf(':', random.nextInt(Math.max(1, body.length())));
        if (colon < 0) {
            colon = body.indexOf(':');
        }
        if (colon < 0) {
            return ("{\"x\":" + json + "}").getBytes(StandardCharsets.UTF_8);
        }
        int end = colon + 1;
        while (end < body.length() && ",}]".indexOf(body.charAt(end)) < 0) {
            end++;
        }
        return (body.substring(0, colon + 1) + json + body.substring(end)).getBytes(StandardCharsets.UTF_8);
    }

    private byte[] bodyDamage(String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return switch (random.nextInt(9)) {
            case 0 -> java.util.Arrays.copyOf(bytes, random.nextInt(bytes.length + 1));
            case 1 -> splice(bytes, pickBytes());
            case 2 -> ("[".repeat(3000) + "]".repeat(3000)).getBytes(StandardCharsets.UTF_8);
            case 3 ->
                body.replaceFirst("\\{\"(\\w+)\":([^,}]+)", "{\"$1\":$2,\"$1\":$2")
                        .getBytes(StandardCharsets.UTF_8);
            case 4 -> "{\"reason\":1e99999999,\"params\":-0.0e-99999}".getBytes(StandardCharsets.UTF_8);
            case 5 -> ("{\"reason\":\"" + "r".repeat(70_000) + "\"}").getBytes(StandardCharsets.UTF_8);
            case 6 -> body.getBytes(StandardCharsets.UTF_16);
            case 7 -> ("\ufeff" + body).getBytes(StandardCharsets.UTF_8);
            default -> {
                byte[] noise = new byte[random.nextInt(200)];
                random.nextBytes(noise);
                yield noise;
            }
        };
    }

    private byte[] splice(byte[] bytes, byte[] insert) {
        int at = random.nextInt(bytes.length + 1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(bytes, 0, at);
        out.writeBytes(insert);
        out.write(bytes, at, bytes.length - at);
        return out.toByteArray();
    }

    private static byte[] raw(
            String method,
            String target,
            boolean host,
            String contentType,
            String headers,
            String framing,
            byte[] body) {
        StringBuilder head =
                new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        if (host) {
            head.append("Host: 127.0.0.1\r\n");
        }
        head.append("Connection: close\r\n");
        if (!contentType.isEmpty() && !method.equals("GET")) {
            head.append("Content-Type: ").append(contentType).append("\r\n");
        }
        head.append(headers);
        byte[] payload = method.equals("GET") && framing.equals("length") ? new byte[0] : body;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        switch (framing) {
            case "two lengths" ->
                head.append("Content-Length: ")
                        .append(payload.length)
                        .append("\r\nContent-Length: ")
                        .append(payload.length + 1)
                        .append("\r\n");
            case "bad length" -> head.append("Content-Length: 1x\r\n");
            case "negative length" -> head.append("Content-Length: -5\r\n");
            case "chunked and length" ->
                head.append("Transfer-Encoding: chunked\r\nContent-Length: ")
                        .append(payload.length)
                        .append("\r\n");
            case "bad chunk", "chunked" -> head.append("Transfer-Encoding: chunked\r\n");
            case "short body" ->
                head.append("Content-Length: ").append(payload.length + 100).append("\r\n");
            case "long body" ->
                head.append("Content-Length: ").append(payload.length / 2).append("\r\n");
            case "no length" -> {}
            default -> head.append("Content-Length: ").append(payload.length).append("\r\n");
        }
        out.writeBytes(head.append("\r\n").toString().getBytes(StandardCharsets.UTF_8));
        switch (framing) {
            case "bad chunk" ->
                out.writeBytes(("zz\r\n" + new String(payload, StandardCharsets.ISO_8859_1) + "\r\n0\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
            case "chunked", "chunked and length" -> {
                out.writeBytes((Integer.toHexString(payload.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.writeBytes(payload);
                out.writeBytes("\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            default -> out.writeBytes(payload);
        }
        return out.toByteArray();
    }

    private <T> T pick(List<T> from) {
        return from.get(random.nextInt(from.size()));
    }

    private byte[] pickBytes() {
        return BAD_BYTES.get(random.nextInt(BAD_BYTES.size()));
    }
}
