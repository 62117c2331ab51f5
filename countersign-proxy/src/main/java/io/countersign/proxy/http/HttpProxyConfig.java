package io.countersign.proxy.http;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One upstream the HTTP proxy serves at {@code /proxy/<name>/...}: where it is, which credential
 * the gateway injects (read from the environment at start), which request headers the agent may
 * send on (all others are dropped, so what goes upstream is what was decided), and the limits.
 */
public record HttpProxyConfig(
        String name,
        URI upstream,
        Credential credential,
        List<String> headers,
        long maxBodyBytes,
        long maxJsonBytes,
        Duration timeout) {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,39}");

    /** The request headers forwarded (and decided on) unless the config lists its own. */
    public static final List<String> DEFAULT_HEADERS = List.of(
            "accept",
            "accept-encoding",
            "accept-language",
            "content-type",
            "if-match",
            "if-none-match",
            "if-modified-since",
            "user-agent",
            "x-github-api-version");

    public static final long DEFAULT_MAX_BODY_BYTES = 64 * 1024;
    public static final long DEFAULT_MAX_JSON_BYTES = 64 * 1024;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    /** Headers the proxy sets or strips itself: a config can't forward them. */
    static final List<String> NEVER_FORWARDED = List.of(
            "authorization",
            "proxy-authorization",
            "cookie",
            "host",
            "content-length",
            "transfer-encoding",
            "connection",
            "expect",
            "upgrade",
            "prefer",
            "countersign-request",
            "forwarded",
            "x-forwarded-for",
            "x-forwarded-host");

    public HttpProxyConfig {
        requireNonNull(name, "name is null");
        requireNonNull(upstream, "upstream is null");
        requireNonNull(credential, "credential is null");
        requireNonNull(timeout, "timeout is null");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("name '" + name
                    + "' must be lower-case letters, digits, '_' or '-' (at most 40; it is part of every action)");
        }
        String scheme = Optional.ofNullable(upstream.getScheme()).orElse("").toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("upstream '" + upstream + "' must be an http:// or https:// URL");
        }
        if (upstream.getHost() == null
                || upstream.getRawUserInfo() != null
                || upstream.getRawQuery() != null
                || upstream.getRawFragment() != null) {
            throw new IllegalArgumentException("upstream '" + upstream
                    + "' must be scheme://host[:port][/base path], without credentials, query or fragment");
        }
        headers =
                headers.stream().map(header -> header.toLowerCase(Locale.ROOT)).toList();
        for (String header : headers) {
            if (NEVER_FORWARDED.contains(header)) {
                throw new IllegalArgumentException(
                        "header '" + header + "' can't be forwarded: the proxy sets or strips it itself");
            }
        }
        if (maxBodyBytes < 0 || maxJsonBytes < 0 || maxJsonBytes > maxBodyBytes) {
            throw new IllegalArgumentException("maxBodyBytes is " + maxBodyBytes + " and maxJsonBytes " + maxJsonBytes
                    + "; want 0 <= maxJsonBytes <= maxBodyBytes");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout is " + timeout + "; want a positive duration");
        }
    }

    /** The upstream's base path without a trailing slash ("" for the root): requests go below it. */
    String basePath() {
        String path = Optional.ofNullable(upstream.getRawPath()).orElse("");
        return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    /** How the gateway authenticates to the upstream; the value comes from an environment variable. */
    public sealed interface Credential {
        String valueEnv();

        /** {@code <header>: <prefix><value>}, e.g. {@code Authorization: Bearer <token>}. */
        record Header(String header, String valueEnv, String prefix) implements Credential {
            public Header {
                requireNonNull(header, "header is null");
                requireNonNull(valueEnv, "valueEnv is null");
                requireNonNull(prefix, "prefix is null");
                if (!header.matches("[A-Za-z0-9-]{1,64}")) {
                    throw new IllegalArgumentException("credentials.header '" + header + "' is not a header name");
                }
            }
        }

        /** HTTP basic authentication as {@code user} with the password in {@code valueEnv}. */
        record Basic(String user, String valueEnv) implements Credential {
            public Basic {
                requireNonNull(user, "user is null");
                requireNonNull(valueEnv, "valueEnv is null");
                if (user.contains(":")) {
                    throw new IllegalArgumentException("credentials.basic user '" + user + "' can't contain ':'");
                }
            }
        }

        /** A query parameter, e.g. {@code ?api_key=<value>}: the agent's own value for it is dropped. */
        record Query(String parameter, String valueEnv) implements Credential {
            public Query {
                requireNonNull(parameter, "parameter is null");
                requireNonNull(valueEnv, "valueEnv is null");
                if (!parameter.matches("[A-Za-z0-9_.-]{1,64}")) {
                    throw new IllegalArgumentException("credentials.query '" + parameter + "' is not a parameter name");
                }
            }
        }
    }
}
