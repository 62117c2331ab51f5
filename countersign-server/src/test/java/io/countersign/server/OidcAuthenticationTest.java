package io.countersign.server;

import static io.countersign.server.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.countersign.identity.Agent;
import io.countersign.identity.Scopes;
import io.countersign.server.Http.Response;
import io.countersign.server.identity.ClientAgent;
import io.countersign.server.identity.IdentityConfig;
import io.countersign.server.identity.OidcSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Humans and client agents through a real OIDC provider started in the test, over real HTTP. */
class OidcAuthenticationTest {
    static final String CI_CLIENT = "ci-pipeline-client";

    @TempDir
    Path directory;

    private TestIdentityProvider provider;
    private TestGateway gateway;

    @BeforeEach
    void start() {
        provider = new TestIdentityProvider();
        gateway = new TestGateway(directory, identity(provider), "/e2e-policy.yaml");
    }

    static IdentityConfig identity(TestIdentityProvider provider) {
        return IdentityConfig.localOnly()
                .withOidc(new OidcSettings(provider.issuer(), TestIdentityProvider.AUDIENCE))
                .withRoles(Set.of("countersign-admins"), Set.of("auditors"))
                .withClientAgents(List.of(
                        new ClientAgent(CI_CLIENT, new Agent("ci", Map.of("team", "platform")), Scopes.UNRESTRICTED)));
    }

    @AfterEach
    void stop() {
        gateway.close();
        provider.close();
    }

    private Response inbox(String token) {
        return gateway.http.get("/v1/approvals", token);
    }

    private static void assertUnauthorized(Response response, String detailPart) {
        assertThat(response.status()).isEqualTo(401);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.text("detail")).contains(detailPart);
    }

    @Test
    void tokenIssuedByTheProvider_authenticatesAHuman() {
        String token = provider.issue("alice", Map.of("groups", List.of("data-owners"), "email", "alice@example.com"));

        Response answer = inbox(token);

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.json().path("items").isArray()).isTrue();
    }

    @Test
    void refusesAProviderPersonWhoLooksLikeALocalHumanWithoutBeingThem() {
        gateway.human("alice", "data-owners");
        String cyrillic = provider.issue(
                "\u0430lice", Map.of("groups", List.of("data-owners"), "email", "\u0430lice@example.com"));
        String otherEmail =
                provider.issue("alice", Map.of("groups", List.of("data-owners"), "email", "alice@evil.example"));

        assertUnauthorized(inbox(cyrillic), "looks like another person this gateway knows");
        assertUnauthorized(inbox(otherEmail), "looks like another person this gateway knows");
        assertThat(inbox(cyrillic).text("detail")).doesNotContain("alice@example.com");
    }

    @Test
    void acceptsTheProviderIdentityOfALocalHumanWithTheSameEmail() {
        gateway.human("alice", "data-owners");
        String token = provider.issue("alice", Map.of("groups", List.of("data-owners"), "email", "ALICE@example.com"));

        assertThat(inbox(token).status()).isEqualTo(200);
    }

    @Test
    void expiredToken_isRefused() {
        Instant past = Instant.now().minus(Duration.ofHours(2));
        String token = provider.sign(provider.claims("alice")
                .issueTime(Date.from(past))
                .notBeforeTime(Date.from(past))
                .expirationTime(Date.from(past.plus(Duration.ofMinutes(30))))
                .build());

        assertUnauthorized(inbox(token), "Expired JWT");
    }

    @Test
    void expiredToken_withinTheClockSkew_isAccepted() {
        String token = provider.sign(provider.claims("alice")
                .expirationTime(Date.from(Instant.now().minusSeconds(20)))
                .build());

        assertThat(inbox(token).status()).isEqualTo(200);
    }

    @Test
    void notYetValidToken_isRefused() {
        String token = provider.sign(provider.claims("alice")
                .notBeforeTime(Date.from(Instant.now().plus(Duration.ofMinutes(10))))
                .build());

        assertUnauthorized(inbox(token), "JWT before use time");
    }

    @Test
    void tokenForAnotherAudience_isRefused() {
        String token = provider.sign(
                provider.claims("alice").audience("some-other-api").build());

        assertUnauthorized(inbox(token), "aud claim rejected");
    }

    @Test
    void tokenFromAnotherIssuer_isRefused() {
        String token = provider.sign(provider.claims("alice")
                .issuer("https://evil.example.com/default")
                .build());

        assertUnauthorized(inbox(token), "iss");
    }

    @Test
    void unsignedToken_isRefused() {
        String token = new PlainJWT(provider.claims("alice", "data-owners").build()).serialize();

        assertUnauthorized(inbox(token), "unsigned (alg none)");
    }

    @Test
    void tokenSignedByAnUnknownKey_isRefused() {
        String token = TestIdentityProvider.signWith(
                TestIdentityProvider.newKey(TestIdentityProvider.ISSUER_ID),
                provider.claims("alice").build());
        String strangerKid = TestIdentityProvider.signWith(
                TestIdentityProvider.newKey("stranger"),
                provider.claims("alice").build());

        assertUnauthorized(inbox(token), "does not verify");
        assertUnauthorized(inbox(strangerKid), "does not verify");
    }

    @Test
    void hs256SignedWithTheProvidersPublicKey_isRefused() throws JOSEException {
        // Algorithm confusion: a verifier that took the key's bytes as an HMAC secret would accept this.
        SignedJWT forged = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.HS256)
                        .keyID(provider.key().getKeyID())
                        .build(),
                provider.claims("mallory", "data-owners", "countersign-admins").build());
        forged.sign(new MACSigner(provider.key().toRSAPublicKey().getEncoded()));

        assertUnauthorized(inbox(forged.serialize()), "HS256");
    }

    @Test
    void garbageBearer_isRefused() {
        assertUnauthorized(inbox("not-a-token"), "neither");
        assertUnauthorized(inbox("a.b.c"), "not a JWT");
    }

    @Test
    void keyRotationAtTheProvider_isPickedUp() {
        assertThat(inbox(provider.sign(provider.claims("alice").build())).status())
                .as("keys fetched and cached")
                .isEqualTo(200);

        provider.rotate();

        assertThat(inbox(provider.sign(provider.claims("alice").build())).status())
                .as("a token under the new kid")
                .isEqualTo(200);
        assertThat(inbox(provider.issue("bob", Map.of())).status())
                .as("the old key, still published")
                .isEqualTo(200);
    }

    @Test
    void groupClaims_decideWhoMayVote() {
        String reporter = gateway.agent("reporter");
        String id = gateway.http
                .post(
                        "/v1/actions",
                        reporter,
                        json("action", "db.export", "resource", "db/prod/customers", "reason", "weekly report"))
                .text("id");
        String engineer =
                provider.sign(provider.claims("mallory", "engineering").build());
        String owner = provider.sign(provider.claims("alice", "data-owners").build());

        Response refused = gateway.http.post("/v1/actions/" + id + "/approve", engineer, json("comment", "ok"));
        Response approved = gateway.http.post("/v1/actions/" + id + "/approve", owner, json("comment", "ok"));

        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.text("detail")).contains("not in any group that decides this request");
        assertThat(approved.status()).isEqualTo(200);
        assertThat(approved.text("status")).isEqualTo("approved");
        assertThat(approved.json().path("votes").get(0).path("voter").asString())
                .isEqualTo("alice");
    }

    @Test
    void clientCredentialsToken_actsAsItsAgent_andCannotVote() {
        String ci = provider.issueToClient(CI_CLIENT, Map.of());
        Response submitted = gateway.http.post(
                "/v1/actions",
                ci,
                json("action", "db.export", "resource", "db/prod/customers", "reason", "nightly sync"));
        String id = submitted.text("id");

        Response vote = gateway.http.post("/v1/actions/" + id + "/approve", ci, json("comment", "self-approve"));
        Response inbox = inbox(ci);

        assertThat(submitted.status()).as(submitted.body()).isEqualTo(202);
        assertThat(submitted.text("agent")).isEqualTo("ci");
        assertThat(vote.status()).isEqualTo(403);
        assertThat(vote.text("detail")).contains("agents may not call POST /v1/actions/{id}/approve");
        assertThat(inbox.status()).isEqualTo(403);
    }

    @Test
    void humanToken_cannotSubmitActions() {
        String human = provider.sign(provider.claims("alice", "data-owners").build());

        Response submitted = gateway.http.post(
                "/v1/actions", human, json("action", "db.query", "resource", "db/prod/x", "reason", "r"));

        assertThat(submitted.status()).isEqualTo(403);
    }

    @Test
    void unreachableProvider_isA401_notA500() {
        provider.close();
        String token = provider.sign(provider.claims("alice").build());

        assertUnauthorized(inbox(token), "unreachable");
    }
}
