package io.countersign.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** A person in the console without a browser: signs in with a local token, reads pages, sends forms with their CSRF token. */
public final class ConsoleClient {
    private static final Pattern HIDDEN_CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");

    private final String baseUrl;
    private final HttpClient client;
    private String session = "";
    private String sessionCookie = "";

    private ConsoleClient(String baseUrl, HttpClient client) {
        this.baseUrl = baseUrl;
        this.client = client;
    }

    /** Signs in at {@code baseUrl}'s console with a local human's token. */
    public static ConsoleClient signIn(String baseUrl, String token) {
        return signIn(baseUrl, token, HttpClient.newHttpClient());
    }

    /** As {@link #signIn(String, String)}, through {@code client} (one that trusts a test certificate, say). */
    public static ConsoleClient signIn(String baseUrl, String token, HttpClient client) {
        ConsoleClient console = new ConsoleClient(baseUrl, client);
        HttpResponse<String> form = console.get("/console/sign-in");
        String formCookie = pair(setCookie(form, "countersign_signin"));
        HttpResponse<String> signedIn = console.send(
                "/console/sign-in", formCookie, Map.of("csrf", csrf(form), "token", token, "next", "/console/inbox"));
        assertThat(signedIn.statusCode()).as(signedIn.body()).isEqualTo(303);
        console.sessionCookie = setCookie(signedIn, "countersign_session");
        console.session = pair(console.sessionCookie);
        return console;
    }

    /** The Set-Cookie header that started the session, attributes and all. */
    public String sessionCookie() {
        return sessionCookie;
    }

    /** A GET whose body is bytes (a download). */
    public HttpResponse<byte[]> download(String path) {
        try {
            return client.send(
                    HttpRequest.newBuilder(URI.create(baseUrl + path))
                            .header("Cookie", session)
                            .timeout(Duration.ofSeconds(60))
                            .build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public HttpResponse<String> get(String path) {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create(baseUrl + path)).GET();
        if (!session.isEmpty()) {
            request.header("Cookie", session);
        }
        return send(request);
    }

    /** Posts {@code form} to {@code path} with the CSRF token of {@code page}, the page the form is on. */
    public HttpResponse<String> submit(String page, String path, Map<String, String> form) {
        Map<String, String> fields = new java.util.HashMap<>(form);
        fields.put("csrf", csrf(get(page)));
        return send(path, session, fields);
    }

    private HttpResponse<String> send(String path, String cookies, Map<String, String> form) {
        String body = form.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (!cookies.isEmpty()) {
            request.header("Cookie", cookies);
        }
        return send(request);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return client.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String csrf(HttpResponse<String> page) {
        Matcher matcher = HIDDEN_CSRF.matcher(page.body());
        assertThat(matcher.find()).as("a csrf field in %s", page.body()).isTrue();
        return matcher.group(1);
    }

    private static String setCookie(HttpResponse<String> response, String name) {
        return response.headers().allValues("Set-Cookie").stream()
                .filter(c -> c.startsWith(name + "="))
                .findFirst()
                .orElseThrow();
    }

    private static String pair(String setCookie) {
        return setCookie.substring(0, setCookie.indexOf(';'));
    }
}
