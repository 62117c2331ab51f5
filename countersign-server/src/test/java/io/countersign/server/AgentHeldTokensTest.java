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
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/**
 * A token an agent holds never casts a human's vote (issue 24): exchanged and delegated tokens,
 * client-credentials tokens shaped the way Keycloak sends them, tokens of clients people don't
 * use; and the claims that name a person (preferred_username, a verified email, plain groups).
 * Against mock-oauth2-server, over real HTTP.
 */
class AgentHeldTokensTest {
    static final String AGENT_CLIENT = "report-agent";

    @TempDir
    Path directory;

    private final TestIdentityProvider provider = new TestIdentityProvider();
    private TestGateway gateway;

    private void start(UnaryOperator<OidcSettings> settings) {
        IdentityConfig identity = IdentityConfig.localOnly()
                .withOidc(settings.apply(new OidcSettings(provider.issuer(), TestIdentityProvider.AUDIENCE)))
                .withClientAgents(
                        List.of(new ClientAgent(AGENT_CLIENT, new Agent("reporter", Map.of()), Scopes.UNRESTRICTED)))
                .withBreakGlassGroup("incident-commanders");
        gateway = new TestGateway(directory, identity, "/e2e-policy.yaml");
    }

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        provider.close();
    }

    private String submitExport(String agentToken, String onBehalfOf) {
        Response submitted = gateway.http.post(
                "/v1/actions",
                agentToken,
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
        return submitted.text("id");
    }

    /** Exactly RFC 8693 at the provider's token endpoint: the agent's client trades alice's token for one for our audience. */
    private String exchange(String subjectToken) {
        String form = Map.of(
                        "grant_type",
                        "urn:ietf:params:oauth:grant-type:token-exchange",
                        "subject_token",
                        subjectToken,
                        "subject_token_type",
                        "urn:ietf:params:oauth:token-type:access_token",
                        "audience",
                        TestIdentityProvider.AUDIENCE)
                .entrySet()
                .stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        String basic =
                Base64.getEncoder().encodeToString((AGENT_CLIENT + ":agent-secret").getBytes(StandardCharsets.UTF_8));
        try (HttpClient client = HttpClient.newHttpClient()) {
            HttpResponse<String> answer = client.send(
                    HttpRequest.newBuilder(provider.tokenEndpoint())
                            .header("Authorization", "Basic " + basic)
                            .header("Content-Type", "application/x-www-form-urlencoded")
                            .POST(HttpRequest.BodyPublishers.ofString(form))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
            return JsonMapper.builder()
                    .build()
                    .readTree(answer.body())
                    .path("access_token")
                    .asString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void assertRefused(Response response, String why) {
        assertThat(response.status()).as(response.body()).isEqualTo(403);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.text("detail")).contains(why);
    }

    @Test
    void aTokenTheAgentGotByTokenExchange_cantApproveDenyBreakGlassOrReadTheInbox() {
        start(UnaryOperator.identity());
        String reporter = gateway.agent("reporter-key");
        String id = submitExport(reporter, "bob");
        String alice = provider.issue(
                "alice",
                Map.of(
                        "groups",
                        List.of("data-owners", "incident-commanders"),
                        "email",
                        "alice@example.com",
                        "email_verified",
                        true));
        // The provider answers the exchange as Keycloak does: alice's claims, the exchanging client in azp.
        provider.nextToken("alice", List.of(TestIdentityProvider.AUDIENCE), Map.of("azp", AGENT_CLIENT));
        String exchanged = exchange(alice);

        assertRefused(
                gateway.http.post("/v1/actions/" + id + "/approve", exchanged, json("comment", "ok")),
                "issued to client report-agent, the client of agent reporter");
        assertRefused(
                gateway.http.post("/v1/actions/" + id + "/deny", exchanged, json("comment", "no")),
                "never casts a person's vote");
        assertRefused(
                gateway.http.post(
                        "/v1/actions/" + id + "/approve", exchanged, json("breakGlass", true, "reason", "SEV1")),
                "never casts a person's vote");
        assertRefused(gateway.http.get("/v1/approvals", exchanged), "never casts a person's vote");
        assertThat(gateway.http.get("/v1/actions/" + id, reporter).text("status"))
                .isEqualTo("pending");
        assertThat(gateway.http.get("/v1/approvals", alice).status())
                .as("alice's own token still works")
                .isEqualTo(200);
    }

    @Test
    void aDelegatedTokenCarryingAct_cantVote_evenIssuedToTheConsolesClient() {
        start(UnaryOperator.identity());
        String id = submitExport(gateway.agent("reporter-key"), "bob");
        String alice = provider.issue("alice", Map.of("groups", List.of("data-owners")));
        provider.nextToken(
                "alice",
                List.of(TestIdentityProvider.AUDIENCE),
                Map.of("azp", TestIdentityProvider.HUMAN_CLIENT, "act", Map.of("sub", AGENT_CLIENT)));
        String delegated = exchange(alice);

        assertRefused(
                gateway.http.post("/v1/actions/" + id + "/approve", delegated, json("comment", "ok")),
                "delegated to 'report-agent' (it carries act)");
    }

    @Test
    void aClientCredentialsTokenAsKeycloakSendsIt_isTheAgent_neverAHuman() {
        start(UnaryOperator.identity());
        // Keycloak: sub is the service-account user's UUID, the client in azp and client_id.
        String agentToken = provider.issueToClient(
                UUID.randomUUID().toString(),
                Map.of(
                        "azp",
                        AGENT_CLIENT,
                        "client_id",
                        AGENT_CLIENT,
                        "preferred_username",
                        "service-account-" + AGENT_CLIENT,
                        "groups",
                        List.of("data-owners")));
        String other = provider.issueToClient(
                UUID.randomUUID().toString(),
                Map.of(
                        "azp",
                        "other-agent",
                        "client_id",
                        "other-agent",
                        "preferred_username",
                        "service-account-other-agent",
                        "groups",
                        List.of("data-owners")));
        String id = submitExport(gateway.agent("other-key"), "bob");

        Response submitted = gateway.http.post(
                "/v1/actions", agentToken, json("action", "db.query", "resource", "db/prod/x", "reason", "r"));
        Response approval = gateway.http.post("/v1/actions/" + id + "/approve", agentToken, json("comment", "ok"));
        Response unregistered = gateway.http.get("/v1/approvals", other);

        assertThat(submitted.text("agent")).isEqualTo("reporter");
        assertRefused(approval, "agents may not call");
        assertThat(unregistered.status()).isEqualTo(401);
        assertThat(unregistered.text("detail"))
                .contains("without a user (client credentials); such a token is never a human's");
    }

    @Test
    void aTokenOfAClientPeopleDontUse_cantVote_untilItIsNamedAHumanClient() {
        start(UnaryOperator.identity());
        String cli = provider.issue("alice", Map.of("azp", "countersign-cli", "groups", List.of("data-owners")));
        assertRefused(
                gateway.http.get("/v1/approvals", cli),
                "issued to client countersign-cli, which is not one of identity.oidc.humanClients");
        gateway.close();

        start(settings -> settings.withHumanClients(Set.of("countersign-console", "countersign-cli")));
        assertThat(gateway.http.get("/v1/approvals", cli).status()).isEqualTo(200);
    }

    @Test
    void thePersonIsNamedByPreferredUsername_notTheProvidersUuid_soTheyCantApproveTheirOwnRequest() {
        start(UnaryOperator.identity());
        String id = submitExport(gateway.agent("reporter-key"), "alice");
        String alice = provider.issue(
                UUID.randomUUID().toString(), Map.of("preferred_username", "alice", "groups", List.of("data-owners")));

        assertRefused(
                gateway.http.post("/v1/actions/" + id + "/approve", alice, json("comment", "mine")),
                "alice is the human this request acts on behalf of");
    }

    @Test
    void anUnverifiedEmail_countsAsAbsent() {
        start(UnaryOperator.identity());
        String id = submitExport(gateway.agent("reporter-key"), "alice@old.example.com");
        String aliceWithANewEmail = provider.issue(
                "alice",
                Map.of("email", "alice@new.example.com", "email_verified", false, "groups", List.of("data-owners")));
        String onlyAnEmail = provider.issue(
                "x", Map.of("preferred_username", "", "email", "carol@example.com", "email_verified", false));

        assertRefused(
                gateway.http.post("/v1/actions/" + id + "/approve", aliceWithANewEmail, json("comment", "ok")),
                "alice has no verified email, so nothing shows they are not alice@old.example.com");
        Response nameless = gateway.http.get("/v1/approvals", onlyAnEmail);
        assertThat(nameless.status()).isEqualTo(401);
        assertThat(nameless.text("detail"))
                .contains("names no one", "its email is not verified, so it counts as absent");
    }

    @Test
    void groupsThatLookLikePaths_areRefusedWithAHint_orStripped() {
        start(UnaryOperator.identity());
        String pathGroups = provider.issue("alice", Map.of("groups", List.of("/data-owners")));
        Response refused = gateway.http.get("/v1/approvals", pathGroups);
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.text("detail"))
                .contains(
                        "groups look like paths (/data-owners): set the provider's mapper to plain names or groupsClaimPaths: strip");
        gateway.close();

        start(settings -> settings.withGroupsClaimPaths(OidcSettings.GroupPaths.STRIP));
        String id = submitExport(gateway.agent("reporter-key"), "bob");
        Response approved = gateway.http.post("/v1/actions/" + id + "/approve", pathGroups, json("comment", "ok"));
        assertThat(approved.status()).as(approved.body()).isEqualTo(200);
    }
}
