package io.countersign.proxy.http;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * One request an agent sent to {@code /proxy/<name>/<path>}, as read off the wire: the method,
 * the raw (still percent-encoded) path below the upstream's name and query, the headers by
 * lower-case name, and the whole body (bounded by the upstream's {@code maxBodyBytes}).
 */
public record ProxiedRequest(
        String upstream,
        String method,
        String rawPath,
        String rawQuery,
        Map<String, List<String>> headers,
        byte[] body) {
    public ProxiedRequest {
        requireNonNull(upstream, "upstream is null");
        requireNonNull(method, "method is null");
        requireNonNull(rawPath, "rawPath is null");
        requireNonNull(rawQuery, "rawQuery is null");
        requireNonNull(body, "body is null");
        Map<String, List<String>> lower = new TreeMap<>();
        headers.forEach((name, values) -> lower.computeIfAbsent(
                        name.toLowerCase(Locale.ROOT), key -> new java.util.ArrayList<>())
                .addAll(values));
        lower.replaceAll((name, values) -> List.copyOf(values));
        headers = java.util.Collections.unmodifiableMap(lower);
        body = body.clone();
    }

    @Override
    public byte[] body() {
        return body.clone();
    }

    int bodySize() {
        return body.length;
    }

    byte[] bodyView() {
        return body;
    }

    /** The header's values joined as HTTP allows ({@code a, b}), or empty. */
    java.util.Optional<String> header(String name) {
        List<String> values = headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
        return values.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(String.join(", ", values));
    }
}
