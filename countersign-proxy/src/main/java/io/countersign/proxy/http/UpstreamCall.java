package io.countersign.proxy.http;

import static java.util.Objects.requireNonNull;

import io.countersign.identity.Secret;
import io.countersign.proxy.ExecutionRecord;
import io.countersign.proxy.Upstream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Sends one decided request upstream with the gateway's credential (and only the decided headers),
 * then streams the answer to the agent, less hop-by-hop headers; the stage the seam records
 * completes when the body has been streamed, with its status, size and SHA-256.
 */
final class UpstreamCall implements Upstream {
    /** RFC 9110 section 7.6.1, plus those a proxy must not pass on. */
    private static final Set<String> HOP_BY_HOP = Set.of(
            "connection",
            "keep-alive",
            "proxy-authenticate",
            "proxy-authorization",
            "proxy-connection",
            "te",
            "trailer",
            "transfer-encoding",
            "upgrade",
            "content-length",
            ":status");

    private final HttpClient client;
    private final HttpProxyConfig config;
    private final Secret secret;
    private final ProxiedRequest request;
    private final ProxyPath path;
    private final HttpActions.Query query;
    private final CompletableFuture<ExecutionRecord> streamed = new CompletableFuture<>();
    private volatile Optional<HttpResponse<InputStream>> response = Optional.empty();
    private volatile boolean timedOut;

    UpstreamCall(
            HttpClient client,
            HttpProxyConfig config,
            Secret secret,
            ProxiedRequest request,
            ProxyPath path,
            HttpActions.Query query) {
        this.client = requireNonNull(client, "client is null");
        this.config = requireNonNull(config, "config is null");
        this.secret = requireNonNull(secret, "secret is null");
        this.request = requireNonNull(request, "request is null");
        this.path = requireNonNull(path, "path is null");
        this.query = requireNonNull(query, "query is null");
    }

    /** The URI the request goes to: below the configured upstream, never anywhere else. */
    static URI target(HttpProxyConfig config, ProxyPath path, String rawQuery) {
        URI base = config.upstream();
        String text = base.getScheme() + "://" + base.getRawAuthority() + config.basePath() + path.raw()
                + (rawQuery.isEmpty() ? "" : "?" + rawQuery);
        URI target = URI.create(text);
        if (!target.getRawAuthority().equals(base.getRawAuthority())) {
            throw new IllegalStateException("the target " + target + " is not on " + base.getRawAuthority());
        }
        return target;
    }

    @Override
    public CompletionStage<ExecutionRecord> execute() throws UpstreamFailure {
        String rawQuery = query.raw();
        if (config.credential() instanceof HttpProxyConfig.Credential.Query credential) {
            String injected = URLEncoder.encode(credential.parameter(), StandardCharsets.UTF_8) + "="
                    + URLEncoder.encode(secret.reveal(), StandardCharsets.UTF_8);
            rawQuery = rawQuery.isEmpty() ? injected : rawQuery + "&" + injected;
        }
        HttpRequest.Builder builder = HttpRequest.newBuilder(target(config, path, rawQuery))
                .timeout(config.timeout())
                .method(
                        request.method(),
                        request.bodySize() == 0
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(request.bodyView()));
        for (String name : config.headers()) {
            for (String value : request.headers().getOrDefault(name, List.of())) {
                builder.header(name, value);
            }
        }
        switch (config.credential()) {
            case HttpProxyConfig.Credential.Header header ->
                builder.setHeader(header.header(), header.prefix() + secret.reveal());
            case HttpProxyConfig.Credential.Basic basic ->
                builder.setHeader(
                        "Authorization",
                        "Basic "
                                + Base64.getEncoder()
                                        .encodeToString((basic.user() + ":" + secret.reveal())
                                                .getBytes(StandardCharsets.UTF_8)));
            case HttpProxyConfig.Credential.Query ignored -> {}
        }
        try {
            response = Optional.of(client.send(builder.build(), HttpResponse.BodyHandlers.ofInputStream()));
        } catch (HttpTimeoutException e) {
            timedOut = true;
            throw new UpstreamFailure(
                    "upstream '" + config.name() + "' did not answer within "
                            + config.timeout().toSeconds() + " s",
                    e);
        } catch (IOException e) {
            // The exception's text may hold the URI, and with a query credential the secret: name only the upstream.
            throw new UpstreamFailure(
                    "upstream '" + config.name() + "' could not be reached ("
                            + e.getClass().getSimpleName() + ")",
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UpstreamFailure("the gateway stopped while calling upstream '" + config.name() + "'", e);
        }
        return streamed;
    }

    boolean timedOut() {
        return timedOut;
    }

    /** Streams the answer to the agent; the seam's record completes when the body has been copied. */
    int streamTo(ResponseSink sink) {
        HttpResponse<InputStream> answer =
                response.orElseThrow(() -> new IllegalStateException("streamTo before the upstream answered"));
        long size = 0;
        MessageDigest sha256 = sha256();
        try (InputStream body = answer.body()) {
            Map<String, List<String>> headers = forwardable(answer.headers().map(), request.method());
            try (OutputStream out = sink.start(answer.statusCode(), headers)) {
                byte[] buffer = new byte[16 * 1024];
                for (int read; (read = body.read(buffer)) >= 0; ) {
                    sha256.update(buffer, 0, read);
                    size += read;
                    out.write(buffer, 0, read);
                }
            }
            String detail = "HTTP " + answer.statusCode() + ", body " + size + " bytes, sha256 "
                    + HexFormat.of().formatHex(sha256.digest());
            streamed.complete(
                    answer.statusCode() < 400 ? ExecutionRecord.succeeded(detail) : ExecutionRecord.failed(detail));
        } catch (IOException | RuntimeException e) {
            streamed.complete(ExecutionRecord.failed("HTTP " + answer.statusCode() + ", streaming broke off after "
                    + size + " bytes (" + e.getClass().getSimpleName() + ")"));
        }
        return answer.statusCode();
    }

    /** A HEAD answer has no body to count, so the upstream's {@code Content-Length} is what the agent asked for. */
    private static Map<String, List<String>> forwardable(Map<String, List<String>> upstream, String method) {
        List<String> named = new ArrayList<>();
        upstream.getOrDefault("connection", List.of())
                .forEach(value ->
                        named.addAll(List.of(value.toLowerCase(Locale.ROOT).split("\\s*,\\s*"))));
        Map<String, List<String>> headers = new LinkedHashMap<>();
        upstream.forEach((name, values) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            boolean headLength = method.equals("HEAD") && lower.equals("content-length");
            if (headLength || (!HOP_BY_HOP.contains(lower) && !named.contains(lower))) {
                headers.put(name, List.copyOf(values));
            }
        });
        return headers;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
