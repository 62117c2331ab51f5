package io.countersign.proxy.http;

import static java.util.Objects.requireNonNull;

import io.countersign.action.Action;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Turns one proxied request into the action the policy decides: {@code http.<name>.<method>} on
 * {@code <name>/<path>}, params {@code {method, path, query, headers, body, bodySha256}}. A JSON
 * body up to the upstream's {@code maxJsonBytes} is {@code body} as parsed, so a rule can read
 * {@code params.body.ref}; any other body is {@code {sha256, size, contentType}}. {@code bodySha256}
 * is there whenever a body is, so the action binds the exact bytes (a grant for a JSON body is not
 * a grant for the same JSON spelled differently).
 */
final class HttpActions {
    /** Characters a resource segment may hold ({@code ActionNames}); others become '_' (params.path is exact). */
    private static final Pattern RESOURCE_UNSAFE = Pattern.compile("[^A-Za-z0-9_.:@=+-]");

    private static final Pattern METHOD = Pattern.compile("[A-Z]{1,16}");
    private static final int MAX_RESOURCE = 256;

    // Duplicate keys are refused: the upstream and the rule must not read different values of one key.
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private HttpActions() {}

    static Action toAction(HttpProxyConfig config, ProxiedRequest request, ProxyPath path, Query query)
            throws RefusedRequest {
        requireNonNull(config, "config is null");
        String method = request.method();
        if (!METHOD.matcher(method).matches()) {
            throw new RefusedRequest(400, "the method '" + method + "' is not one the proxy forwards");
        }
        StringBuilder resource = new StringBuilder(config.name());
        for (String segment : path.segments()) {
            resource.append('/').append(RESOURCE_UNSAFE.matcher(segment).replaceAll("_"));
        }
        if (resource.length() > MAX_RESOURCE) {
            throw new RefusedRequest(
                    414, "the path makes a resource of " + resource.length() + " characters; at most " + MAX_RESOURCE);
        }
        ObjectNode params = JsonNodeFactory.instance.objectNode();
        params.put("method", method);
        params.put("path", path.decoded());
        params.set("query", query.asJson());
        ObjectNode headers = params.putObject("headers");
        for (String name : config.headers()) {
            request.header(name).ifPresent(value -> headers.put(name, value));
        }
        if (request.bodySize() > 0) {
            String sha256 = sha256(request.bodyView());
            String contentType = request.header("content-type").orElse("");
            params.set("body", body(config, request, sha256, contentType));
            params.put("bodySha256", sha256);
        }
        String reason = method + " " + config.name() + path.decoded() + " through the HTTP proxy";
        return Action.of(
                "http." + config.name() + "." + method.toLowerCase(Locale.ROOT), resource.toString(), params, reason);
    }

    private static JsonNode body(HttpProxyConfig config, ProxiedRequest request, String sha256, String contentType) {
        String type = contentType.toLowerCase(Locale.ROOT).split(";", 2)[0].trim();
        boolean json = type.equals("application/json") || type.endsWith("+json");
        if (json && request.bodySize() <= config.maxJsonBytes()) {
            try {
                return JSON.readTree(request.bodyView());
            } catch (JacksonException e) {
                // Not JSON after all: decided on its digest like any other body.
            }
        }
        ObjectNode digest = JsonNodeFactory.instance.objectNode();
        digest.put("sha256", sha256);
        digest.put("size", request.bodySize());
        digest.put("contentType", contentType);
        return digest;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /**
     * The query string, decoded for the policy and kept raw for the upstream; the parameter the
     * gateway's credential uses is dropped (an agent can't choose the upstream's key).
     */
    record Query(String raw, List<String[]> pairs) {
        Query {
            requireNonNull(raw, "raw is null");
            pairs = List.copyOf(pairs);
        }

        static Query parse(String raw, java.util.Optional<String> credentialParameter) throws RefusedRequest {
            if (raw.isEmpty()) {
                return new Query("", List.of());
            }
            List<String> kept = new ArrayList<>();
            List<String[]> pairs = new ArrayList<>();
            for (String part : raw.split("&", -1)) {
                if (part.isEmpty()) {
                    continue;
                }
                int equals = part.indexOf('=');
                String name = decode(equals < 0 ? part : part.substring(0, equals));
                String value = equals < 0 ? "" : decode(part.substring(equals + 1));
                if (credentialParameter.isPresent() && credentialParameter.get().equals(name)) {
                    continue;
                }
                kept.add(part);
                pairs.add(new String[] {name, value});
            }
            return new Query(String.join("&", kept), pairs);
        }

        private static String decode(String text) throws RefusedRequest {
            try {
                return URLDecoder.decode(text, StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new RefusedRequest(400, "the query has an invalid escape in '" + text + "'");
            }
        }

        /** {@code {name: value}}, or {@code {name: [values]}} for a parameter given more than once. */
        ObjectNode asJson() {
            ObjectNode query = JsonNodeFactory.instance.objectNode();
            for (String[] pair : pairs) {
                JsonNode present = query.get(pair[0]);
                if (present == null) {
                    query.put(pair[0], pair[1]);
                } else if (present instanceof ArrayNode values) {
                    values.add(pair[1]);
                } else {
                    ArrayNode values = query.putArray(pair[0]);
                    values.add(present.asString());
                    values.add(pair[1]);
                }
            }
            return query;
        }
    }
}
