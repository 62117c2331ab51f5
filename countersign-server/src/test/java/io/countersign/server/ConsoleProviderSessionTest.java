package io.countersign.server;

import static io.countersign.server.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.JWTClaimsSet;
import io.countersign.server.console.ConsoleConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A console sign-in at the identity provider after it happened (against mock-oauth2-server): the
 * provider's back-channel logout ends it, sign-out ends the provider's session too (RP-initiated
 * logout), the inbox's polling doesn't keep it alive, and a vote after a few minutes asks the
 * provider again.
 */
class ConsoleProviderSessionTest {
    private static final Pattern HIDDEN_CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");
    private static final String LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout";

    @TempDir
    Path directory;

    private final TestIdentityProvider provider = new TestIdentityProvider();
    private final MovableClock clock = new MovableClock();
    private TestGateway gateway;
    private boolean providerClosed;
    private final HttpClient browser = newBrowser();

    private static HttpClient newBrowser() {
        return HttpClient.newBuilder()
                .cookieHandler(new CookieManager(null, CookiePolicy.ACCEPT_ALL))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** A clock the test moves forward; the gateway reads it for sessions and token times. */
    static final class MovableClock extends Clock {
        private volatile Instant now = Instant.now();

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @BeforeEach
    void start() {
        gateway = new TestGateway(
                directory,
                OidcAuthenticationTest.identity(provider).withRoles(java.util.Set.of(), java.util.Set.of()),
                "/e2e-policy.yaml",
                config -> config.withConsole(new ConsoleConfig(
                        ConsoleConfig.DEFAULT_CLIENT_ID,
                        Optional.empty(),
                        Duration.ofMinutes(30),
                        Duration.ofHours(12))),
                clock);
    }

    @AfterEach
    void stop() {
        gateway.close();
        if (!providerClosed) {
            provider.close();
        }
        browser.close();
    }

    private void signIn(String name, String sessionId) {
        signIn(browser, name, sessionId);
    }

    private void signIn(HttpClient client, String name, String sessionId) {
        provider.nextSignIn(
                name,
                Map.of(
                        "sid",
                        sessionId,
                        "groups",
                        List.of("data-owners"),
                        "email",
                        name + "@example.com",
                        "email_verified",
                        true));
        HttpResponse<String> start = send(
                client,
                HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/console/oidc/start?next=/console/inbox")));
        HttpResponse<String> authorized = send(client, HttpRequest.newBuilder(location(start)));
        HttpResponse<String> callback = send(client, HttpRequest.newBuilder(location(authorized)));
        assertThat(callback.statusCode()).as(callback.body()).isEqualTo(303);
        assertThat(inbox(client).body()).contains("Signed in as <strong>" + name + "</strong>");
    }

    private HttpResponse<String> inbox() {
        return inbox(browser);
    }

    private HttpResponse<String> inbox(HttpClient client) {
        return send(client, HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/console/inbox")));
    }

    private HttpResponse<String> get(String path, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gateway.baseUrl() + path));
        headers.forEach(request::header);
        return send(request);
    }

    private HttpResponse<String> postForm(String path, Map<String, String> form) {
        String body = form.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        return send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        return send(browser, request);
    }

    private HttpResponse<String> send(HttpClient client, HttpRequest.Builder request) {
        try {
            return client.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static URI location(HttpResponse<String> response) {
        assertThat(response.statusCode()).as("a redirect: %s", response.body()).isBetween(301, 303);
        return response.uri().resolve(response.headers().firstValue("Location").orElseThrow());
    }

    private static String csrf(HttpResponse<String> page) {
        Matcher matcher = HIDDEN_CSRF.matcher(page.body());
        assertThat(matcher.find()).as("a csrf field in %s", page.body()).isTrue();
        return matcher.group(1);
    }

    private String logoutToken(JWTClaimsSet.Builder claims) {
        return provider.sign(claims.build());
    }

    private JWTClaimsSet.Builder logoutClaims(String subject, String sessionId) {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder()
                .issuer(provider.issuer().toString())
                .audience(ConsoleConfig.DEFAULT_CLIENT_ID)
                .subject(subject)
                .claim("sid", sessionId)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(Duration.ofMinutes(2))))
                .jwtID(UUID.randomUUID().toString())
                .claim("events", Map.of(LOGOUT_EVENT, Map.of()));
    }

    private HttpResponse<String> backChannelLogout(String token) {
        return postForm("/console/oidc/backchannel-logout", Map.of("logout_token", token));
    }

    @Test
    void backChannelLogout_endsThatSession_andARepeatedOrForgedTokenIsRefused() {
        signIn("bob", "provider-session-1");
        String token = logoutToken(logoutClaims("bob", "provider-session-1"));

        HttpResponse<String> forged = backChannelLogout(
                logoutToken(logoutClaims("bob", "provider-session-1").claim("events", null)));
        assertThat(forged.statusCode()).isEqualTo(400);
        assertThat(forged.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/problem+json");
        assertThat(inbox().statusCode())
                .as("a token without the logout event ends nothing")
                .isEqualTo(200);

        HttpResponse<String> loggedOut = backChannelLogout(token);
        assertThat(loggedOut.statusCode()).as(loggedOut.body()).isEqualTo(200);
        assertThat(loggedOut.headers().firstValue("Cache-Control")).contains("no-store");
        HttpResponse<String> after = inbox();
        assertThat(after.statusCode()).isEqualTo(303);
        assertThat(location(after).getPath()).isEqualTo("/console/sign-in");

        assertThat(backChannelLogout(token).statusCode())
                .as("a replayed logout token")
                .isEqualTo(400);
    }

    @Test
    void backChannelLogout_namingOnlyASession_endsThatSessionAndNotThePersonsOthers() {
        HttpClient laptop = newBrowser();
        HttpClient phone = newBrowser();
        signIn(laptop, "bob", "provider-session-laptop");
        signIn(phone, "bob", "provider-session-phone");

        HttpResponse<String> loggedOut = backChannelLogout(
                logoutToken(logoutClaims("bob", "provider-session-laptop").subject(null)));
        assertThat(loggedOut.statusCode()).as(loggedOut.body()).isEqualTo(200);

        HttpResponse<String> onTheLaptop = inbox(laptop);
        assertThat(onTheLaptop.statusCode()).isEqualTo(303);
        assertThat(location(onTheLaptop).getPath()).isEqualTo("/console/sign-in");
        assertThat(inbox(phone).statusCode())
                .as("a token naming only the laptop's provider session leaves the phone's signed in")
                .isEqualTo(200);
    }

    @Test
    void signOut_endsTheProvidersSessionToo_withTheIdTokenAsHint() {
        signIn("bob", "provider-session-2");

        HttpResponse<String> signedOut = postForm("/console/sign-out", Map.of("csrf", csrf(inbox())));

        URI target = location(signedOut);
        assertThat(target.toString())
                .startsWith(provider.issuer() + "/endsession")
                .contains(
                        "id_token_hint=",
                        "client_id=countersign-console",
                        "post_logout_redirect_uri="
                                + URLEncoder.encode(gateway.baseUrl() + "/console/sign-in", StandardCharsets.UTF_8));
        assertThat(inbox().statusCode()).isEqualTo(303);
    }

    @Test
    void theInboxsPolling_doesNotKeepTheSessionAlive_aPersonsActionsDo() {
        signIn("bob", "provider-session-3");
        for (int minute = 0; minute < 25; minute += 5) {
            clock.advance(Duration.ofMinutes(5));
            assertThat(get("/console/inbox", Map.of()).statusCode())
                    .as("a person reloads the inbox")
                    .isEqualTo(200);
        }
        for (int minute = 0; minute < 35; minute += 5) {
            clock.advance(Duration.ofMinutes(5));
            get("/console/inbox/rows", Map.of("HX-Request", "true", "X-Countersign-Poll", "1"));
        }

        assertThat(inbox().statusCode()).as("35 minutes of polling alone").isEqualTo(303);
    }

    @Test
    void aVoteAfterAFewMinutes_asksTheProviderFirst_andNothingIsDecidedWhenItCantBeAsked() {
        signIn("bob", "provider-session-4");
        String agent = gateway.agent("reporter");
        String early = gateway.http
                .post("/v1/actions", agent, json("action", "db.export", "resource", "db/prod/a", "reason", "r"))
                .text("id");
        String late = gateway.http
                .post("/v1/actions", agent, json("action", "db.export", "resource", "db/prod/b", "reason", "r"))
                .text("id");
        provider.close();
        providerClosed = true;

        HttpResponse<String> fresh =
                postForm("/console/requests/" + early + "/approve", Map.of("csrf", csrf(inbox()), "comment", "ok"));
        clock.advance(Duration.ofMinutes(6));
        HttpResponse<String> stale =
                postForm("/console/requests/" + late + "/approve", Map.of("csrf", csrf(inbox()), "comment", "ok"));

        assertThat(fresh.statusCode())
                .as("a sign-in confirmed under 5 minutes ago votes without asking: %s", fresh.body())
                .isEqualTo(303);
        assertThat(stale.statusCode()).as(stale.body()).isEqualTo(503);
        assertThat(stale.body()).contains("whether your sign-in still holds", "nothing was decided");
        assertThat(gateway.http.get("/v1/actions/" + late, agent).text("status"))
                .isEqualTo("pending");
    }
}
