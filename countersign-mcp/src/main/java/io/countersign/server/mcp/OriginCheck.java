package io.countersign.server.mcp;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * What the MCP spec's security section asks of a Streamable HTTP server against DNS rebinding: a
 * page in a browser must not reach {@code /mcp} under a name of its own that resolves to the gateway.
 * {@code Host} must name the gateway (the host of its base URL) or loopback, and an {@code Origin},
 * where a browser sent one, must be one of those hosts too. Agents that are not browsers send no
 * {@code Origin}.
 */
final class OriginCheck {
    private static final Set<String> LOOPBACK = Set.of("localhost", "127.0.0.1", "[::1]", "::1");

    private final Supplier<String> baseUrl;

    OriginCheck(Supplier<String> baseUrl) {
        this.baseUrl = requireNonNull(baseUrl, "baseUrl is null");
    }

    /** Why the request is refused, if it is. */
    Optional<String> refusal(Optional<String> host, Optional<String> origin) {
        if (host.isEmpty()) {
            return Optional.of("the Host header is missing");
        }
        if (!allowed(hostOf(host.get()))) {
            return Optional.of("the Host header '" + host.get() + "' does not name this gateway");
        }
        if (origin.isEmpty()) {
            return Optional.empty();
        }
        try {
            String originHost = URI.create(origin.get().strip()).getHost();
            if (originHost == null || !allowed(originHost.toLowerCase(Locale.ROOT))) {
                return Optional.of("the Origin '" + origin.get() + "' is not this gateway's");
            }
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.of("the Origin header is not a URL");
        }
    }

    private boolean allowed(String host) {
        if (LOOPBACK.contains(host)) {
            return true;
        }
        String base = baseUrl.get();
        if (base == null || base.isEmpty()) {
            return false;
        }
        String own = URI.create(base).getHost();
        return own != null && own.toLowerCase(Locale.ROOT).equals(host);
    }

    /** The host part of a Host header ({@code name:port}, {@code [v6]:port}), lower case. */
    private static String hostOf(String header) {
        String value = header.strip().toLowerCase(Locale.ROOT);
        if (value.startsWith("[")) {
            int end = value.indexOf(']');
            return end < 0 ? value : value.substring(0, end + 1);
        }
        int colon = value.lastIndexOf(':');
        return colon < 0 ? value : value.substring(0, colon);
    }
}
