package io.countersign.proxy.http;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/** How the proxy answered one request: the upstream's answer was streamed, or a problem to render. */
public sealed interface ProxyAnswer {

    /** The upstream's status, headers and body went to the {@link ResponseSink}. */
    record Streamed(int status) implements ProxyAnswer {}

    /**
     * An RFC 9457 problem: {@code type} is {@code urn:countersign:problem:<slug>}; {@code members}
     * are its extension members (the request id, its console page, the rules).
     */
    record Problem(int status, String slug, String title, String detail, Map<String, Object> members)
            implements ProxyAnswer {
        public Problem {
            requireNonNull(slug, "slug is null");
            requireNonNull(title, "title is null");
            requireNonNull(detail, "detail is null");
            members = Map.copyOf(members);
        }

        static Problem of(int status, String slug, String title, String detail) {
            return new Problem(status, slug, title, detail, Map.of());
        }
    }
}
