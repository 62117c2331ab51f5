package io.countersign.server;

import static io.countersign.server.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.identity.Agent;
import io.countersign.identity.Scopes;
import io.countersign.server.Http.Response;
import io.countersign.server.identity.ClientAgent;
import io.countersign.server.identity.IdentityConfig;
import io.countersign.server.identity.OidcSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole identity story against a real Keycloak (started once for the class, see
 * {@link LocalKeycloak}): a token the agent got by RFC 8693 token exchange can't approve, a
 * client-credentials token is an agent and never a human, people are named by
 * {@code preferred_username}, an unverified email counts as absent, and Keycloak's back-channel
 * logout ends a console session.
 */
class KeycloakIdentityTest {
    private static final String REALM = "countersign-test";
    private static final String TOKEN = "/realms/" + REALM + "/protocol/openid-connect/token";
    private static final Pattern LOGIN_FORM = Pattern.compile("<form[^>]*id=\"kc-form-login\"[^>]*action=\"([^\"]+)\"");

    @TempDir
    static Path directory;

    private static LocalKeycloak keycloak;
    private static TestGateway gateway;
    private static final Map<String, String> userIds = new java.util.HashMap<>();

    @BeforeAll
    static void start() {
        keycloak = LocalKeycloak.startOrSkip();
        IdentityConfig identity = IdentityConfig.localOnly()
                .withOidc(new OidcSettings(keycloak.issuer(REALM), "countersign"))
                .withClientAgents(
                        List.of(new ClientAgent("report-agent", new Agent("reporter", Map.of()), Scopes.UNRESTRICTED)));
        gateway = new TestGateway(directory, identity, "/e2e-policy.yaml");
        setUpRealm(gateway.baseUrl());
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (keycloak != null) {
            keycloak.close();
        }
    }

    /** A realm as the docs' Keycloak recipe sets it up: our API as an audience, plain group names, the console's client, an agent's client. */
    private static void setUpRealm(String gatewayUrl) {
        keycloak.admin("POST", "", Map.of("realm", REALM, "enabled", true));
        String realm = "/" + REALM;
        keycloak.create(
                realm + "/clients",
                Map.of(
                        "clientId",
                        "countersign",
                        "publicClient",
                        false,
                        "standardFlowEnabled",
                        false,
                        "directAccessGrantsEnabled",
                        false));
        String console = keycloak.create(
                realm + "/clients",
                Map.of(
                        "clientId",
                        "countersign-console",
                        "publicClient",
                        true,
                        "standardFlowEnabled",
                        true,
                        "directAccessGrantsEnabled",
                        true,
                        "redirectUris",
                        List.of(gatewayUrl + "/console/oidc/callback"),
                        "attributes",
                        Map.of(
                                "post.logout.redirect.uris",
                                gatewayUrl + "/console/sign-in",
                                "pkce.code.challenge.method",
                                "S256",
                                "backchannel.logout.url",
                                gatewayUrl + "/console/oidc/backchannel-logout",
                                "backchannel.logout.session.required",
                                "true")));
        String agent = keycloak.create(
                realm + "/clients",
                Map.of(
                        "clientId",
                        "report-agent",
                        "publicClient",
                        false,
                        "secret",
                        "agent-secret",
                        "serviceAccountsEnabled",
                        true,
                        "standardFlowEnabled",
                        false,
                        "attributes",
                        Map.of("standard.token.exchange.enabled", "true")));
        String bot = keycloak.create(
                realm + "/clients",
                Map.of(
                        "clientId",
                        "unregistered-bot",
                        "publicClient",
                        false,
                        "secret",
                        "bot-secret",
                        "serviceAccountsEnabled",
                        true,
                        "standardFlowEnabled",
                        false));
        String scope = keycloak.create(
                realm + "/client-scopes",
                Map.of(
                        "name",
                        "countersign-api",
                        "protocol",
                        "openid-connect",
                        "attributes",
                        Map.of("include.in.token.scope", "false"),
                        "protocolMappers",
                        List.of(
                                Map.of(
                                        "name",
                                        "audience",
                                        "protocol",
                                        "openid-connect",
                                        "protocolMapper",
                                        "oidc-audience-mapper",
                                        "config",
                                        Map.of(
                                                "included.custom.audience",
                                                "countersign",
                                                "access.token.claim",
                                                "true")),
                                Map.of(
                                        "name",
                                        "groups",
                                        "protocol",
                                        "openid-connect",
                                        "protocolMapper",
                                        "oidc-group-membership-mapper",
                                        "config",
                                        Map.of(
                                                "claim.name",
                                                "groups",
                                                "full.path",
                                                "false",
                                                "access.token.claim",
                                                "true",
                                                "id.token.claim",
                                                "true")))));
        for (String client : List.of(console, agent, bot)) {
            keycloak.admin("PUT", realm + "/clients/" + client + "/default-client-scopes/" + scope, null);
        }
        // Keycloak exchanges only tokens whose audience names the exchanging client.
        keycloak.create(
                realm + "/clients/" + console + "/protocol-mappers/models",
                Map.of(
                        "name",
                        "agent-audience",
                        "protocol",
                        "openid-connect",
                        "protocolMapper",
                        "oidc-audience-mapper",
                        "config",
                        Map.of("included.client.audience", "report-agent", "access.token.claim", "true")));
        String owners = keycloak.create(realm + "/groups", Map.of("name", "data-owners"));
        for (String user : List.of("alice", "bob", "carol")) {
            String id = keycloak.create(
                    realm + "/users",
                    Map.of(
                            "username",
                            user,
                            "enabled",
                            true,
                            "email",
                            user + "@example.com",
                            "emailVerified",
                            true,
                            "firstName",
                            user,
                            "lastName",
                            "Example",
                            "credentials",
                            List.of(Map.of("type", "password", "value", user + "-password", "temporary", false))));
            keycloak.admin("PUT", realm + "/users/" + id + "/groups/" + owners, null);
            userIds.put(user, id);
        }
    }

    private static String passwordToken(String user) {
        return keycloak.post(
                        TOKEN,
                        Map.of(
                                "grant_type",
                                "password",
                                "client_id",
                                "countersign-console",
                                "username",
                                user,
                                "password",
                                user + "-password",
                                "scope",
                                "openid"))
                .path("access_token")
                .asString();
    }

    private static String clientToken(String client, String secret) {
        return keycloak.post(
                        TOKEN, Map.of("grant_type", "client_credentials", "client_id", client, "client_secret", secret))
                .path("access_token")
                .asString();
    }

    private static String submitExport(String onBehalfOf) {
        Response submitted = gateway.http.post(
                "/v1/actions",
                clientToken("report-agent", "agent-secret"),
                json(
                        "action",
                        "db.export",
                        "resource",
                        "db/prod/customers",
                        "reason",
                        "weekly report",
                        "onBehalfOf",
                        onBehalfOf));
        assertThat(submitted.status()).as(submitted.body()).isEqualTo(202);
        assertThat(submitted.text("agent"))
                .as("the client-credentials token is the agent")
                .isEqualTo("reporter");
        return submitted.text("id");
    }

    @Test
    void aTokenTheAgentGotByTokenExchange_cantApprove() {
        String id = submitExport("bob");
        String exchanged = keycloak.post(
                        TOKEN,
                        Map.of(
                                "grant_type",
                                "urn:ietf:params:oauth:grant-type:token-exchange",
                                "client_id",
                                "report-agent",
                                "client_secret",
                                "agent-secret",
                                "subject_token",
                                passwordToken("alice"),
                                "subject_token_type",
                                "urn:ietf:params:oauth:token-type:access_token",
                                "audience",
                                "countersign"))
                .path("access_token")
                .asString();
        assertThat(exchanged).as("Keycloak exchanged the token").isNotEmpty();

        Response approval =
                gateway.http.post("/v1/actions/" + id + "/approve", exchanged, json("comment", "approving for alice"));

        assertThat(approval.status()).as(approval.body()).isEqualTo(403);
        assertThat(approval.text("detail")).contains("issued to client report-agent, the client of agent reporter");
        assertThat(gateway.http.get("/v1/actions/" + id, passwordToken("bob")).text("status"))
                .isEqualTo("pending");
    }

    @Test
    void clientCredentialsTokens_areNeverHuman() {
        String id = submitExport("bob");

        Response agentVote = gateway.http.post(
                "/v1/actions/" + id + "/approve", clientToken("report-agent", "agent-secret"), json("comment", "ok"));
        Response botInbox = gateway.http.get("/v1/approvals", clientToken("unregistered-bot", "bot-secret"));

        assertThat(agentVote.status()).isEqualTo(403);
        assertThat(agentVote.text("detail")).contains("agents may not call");
        assertThat(botInbox.status()).isEqualTo(401);
        assertThat(botInbox.text("detail")).contains("never a human's");
    }

    @Test
    void peopleAreNamedByPreferredUsername_soOnBehalfOfAliceMeansAlice() {
        String id = submitExport("alice");

        Response selfApproval =
                gateway.http.post("/v1/actions/" + id + "/approve", passwordToken("alice"), json("comment", "mine"));
        Response approval =
                gateway.http.post("/v1/actions/" + id + "/approve", passwordToken("bob"), json("comment", "ok"));

        assertThat(selfApproval.status()).isEqualTo(403);
        assertThat(selfApproval.text("detail")).contains("alice is the human this request acts on behalf of");
        assertThat(approval.status()).as(approval.body()).isEqualTo(200);
        assertThat(approval.json().path("votes").get(0).path("voter").asString())
                .isEqualTo("bob");
    }

    @Test
    void anEmailTheProviderMarksUnverified_countsAsAbsent() {
        String id = submitExport("carol@example.com");
        keycloak.admin(
                "PUT",
                "/" + REALM + "/users/" + userIds.get("carol"),
                Map.of("email", "carol.new@example.com", "emailVerified", false));

        Response approval =
                gateway.http.post("/v1/actions/" + id + "/approve", passwordToken("carol"), json("comment", "ok"));

        assertThat(approval.status()).as(approval.body()).isEqualTo(403);
        assertThat(approval.text("detail")).contains("carol has no verified email");
    }

    @Test
    void backChannelLogoutAtKeycloak_endsTheConsoleSession() throws Exception {
        HttpClient browser = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        HttpResponse<String> start =
                get(browser, URI.create(gateway.baseUrl() + "/console/oidc/start?next=/console/inbox"));
        HttpResponse<String> loginPage = get(browser, location(start));
        Matcher form = LOGIN_FORM.matcher(loginPage.body());
        assertThat(form.find())
                .as("Keycloak's login form in %s", loginPage.body())
                .isTrue();
        String credentials =
                "username=bob&password=" + URLEncoder.encode("bob-password", StandardCharsets.UTF_8) + "&credentialId=";
        HttpResponse<String> loggedIn = send(
                browser,
                HttpRequest.newBuilder(URI.create(form.group(1).replace("&amp;", "&")))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(credentials)));
        HttpResponse<String> callback = get(browser, location(loggedIn));
        assertThat(callback.statusCode()).as(callback.body()).isEqualTo(303);
        assertThat(get(browser, URI.create(gateway.baseUrl() + "/console/inbox"))
                        .body())
                .contains("Signed in as <strong>bob</strong>");

        keycloak.admin("POST", "/" + REALM + "/users/" + userIds.get("bob") + "/logout", null);

        // Keycloak sends one logout token per session of bob's that the console's client holds (earlier tests signed
        // him
        // in too), one after another; on a loaded machine ours can come well after the first.
        Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
        HttpResponse<String> inbox = get(browser, URI.create(gateway.baseUrl() + "/console/inbox"));
        while (inbox.statusCode() == 200 && Instant.now().isBefore(deadline)) {
            Thread.sleep(500);
            inbox = get(browser, URI.create(gateway.baseUrl() + "/console/inbox"));
        }
        assertThat(inbox.statusCode()).as("the session ended: back to sign-in").isEqualTo(303);
        assertThat(inbox.headers().firstValue("Location").orElseThrow()).contains("/console/sign-in");
    }

    private static URI location(HttpResponse<String> response) {
        assertThat(response.statusCode()).as("a redirect: %s", response.body()).isBetween(301, 303);
        URI target = URI.create(response.headers().firstValue("Location").orElseThrow());
        return response.uri().resolve(target);
    }

    private static HttpResponse<String> get(HttpClient browser, URI uri) {
        return send(browser, HttpRequest.newBuilder(uri));
    }

    /**
     * A browser's cookies, by hand: Keycloak marks its login cookies Secure, which the JDK's cookie
     * manager never sends over plain http, even to a loopback address as browsers do.
     */
    private static final Map<String, String> cookies = new java.util.LinkedHashMap<>();

    private static HttpResponse<String> send(HttpClient browser, HttpRequest.Builder request) {
        if (!cookies.isEmpty()) {
            request.header(
                    "Cookie",
                    cookies.entrySet().stream()
                            .map(e -> e.getKey() + "=" + e.getValue())
                            .collect(java.util.stream.Collectors.joining("; ")));
        }
        try {
            HttpResponse<String> response =
                    browser.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
            for (String set : response.headers().allValues("Set-Cookie")) {
                String pair = set.split(";", 2)[0];
                int equals = pair.indexOf('=');
                String name = pair.substring(0, equals).strip();
                String value = pair.substring(equals + 1).strip();
                if (value.isEmpty() || set.contains("Max-Age=0")) {
                    cookies.remove(name);
                } else {
                    cookies.put(name, value);
                }
            }
            return response;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
