package io.countersign.server;

import static io.countersign.server.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.server.Http.Response;
import io.countersign.server.identity.Delegations;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * onBehalfOf claimed or verified: the agent proves it with the human's token (their own, or a
 * token-exchange token naming the agent in {@code act}), and the policy can require that proof.
 */
class DelegationTest {
    @TempDir
    Path directory;

    private TestIdentityProvider provider;
    private TestGateway gateway;
    private String reporter;

    @BeforeEach
    void start() {
        provider = new TestIdentityProvider();
        gateway = new TestGateway(directory, OidcAuthenticationTest.identity(provider), "/identity-policy.yaml");
        reporter = gateway.agent("reporter");
    }

    @AfterEach
    void stop() {
        gateway.close();
        provider.close();
    }

    private Response export(String onBehalfOf, String proof) {
        String body = onBehalfOf == null
                ? json("action", "db.export", "resource", "db/prod/customers", "reason", "asked for it")
                : json(
                        "action",
                        "db.export",
                        "resource",
                        "db/prod/customers",
                        "reason",
                        "asked for it",
                        "onBehalfOf",
                        onBehalfOf);
        return proof == null
                ? gateway.http.post("/v1/actions", reporter, body)
                : gateway.http.post("/v1/actions", reporter, body, Delegations.HEADER, proof);
    }

    @Test
    void claimedDelegation_isRecordedAsClaimed_andThePolicyCanRefuseIt() {
        Response claimed = export("alice", null);

        assertThat(claimed.text("status")).isEqualTo("denied");
        assertThat(claimed.text("delegation")).isEqualTo("claimed");
        assertThat(claimed.json().path("decision").path("reason").asString())
                .isEqualTo("exports on behalf of a human need verified delegation");
    }

    @Test
    void theHumansOwnToken_verifiesTheDelegation() {
        Response verified =
                export("alice", provider.sign(provider.claims("alice").build()));

        assertThat(verified.status()).isEqualTo(202);
        assertThat(verified.text("delegation")).isEqualTo("verified");
        String entries =
                gateway.http.get("/v1/audit/entries", gateway.auditor()).body();
        assertThat(entries).contains("\"delegation\":\"verified\"");
    }

    @Test
    void aTokenExchangeToken_actingForThisAgent_verifiesTheDelegation() {
        String exchanged = provider.sign(
                provider.claims("alice").claim("act", Map.of("sub", "reporter")).build());

        assertThat(export("alice@example.com", exchanged).text("delegation")).isEqualTo("verified");
    }

    @Test
    void aTokenExchangeToken_forAnotherActor_isRefused() {
        String exchanged = provider.sign(provider.claims("alice")
                .claim("act", Map.of("sub", "some-other-agent"))
                .build());

        Response refused = export("alice", exchanged);

        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.text("detail")).contains("delegates to actor 'some-other-agent', not to agent reporter");
    }

    @Test
    void anotherHumansToken_isRefused() {
        Response refused = export("alice", provider.sign(provider.claims("bob").build()));

        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.text("detail")).contains("is for bob <bob@example.com>, not for onBehalfOf 'alice'");
    }

    @Test
    void anInvalidToken_isRefused_notDowngradedToClaimed() {
        String expired = provider.sign(provider.claims("alice")
                .expirationTime(new java.util.Date(System.currentTimeMillis() - 3_600_000))
                .build());

        Response refused = export("alice", expired);

        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.text("detail")).contains("Expired JWT");
    }

    @Test
    void aTokenWithoutOnBehalfOf_isRefused() {
        Response refused = export(null, provider.sign(provider.claims("alice").build()));

        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.text("detail")).contains("names no onBehalfOf");
    }

    @Test
    void theVerifiedHuman_stillCannotApprove() {
        String id =
                export("alice", provider.sign(provider.claims("alice").build())).text("id");

        Response selfApproval = gateway.http.post(
                "/v1/actions/" + id + "/approve",
                provider.sign(provider.claims("alice", "data-owners").build()),
                json("comment", "mine"));

        assertThat(selfApproval.status()).isEqualTo(403);
        assertThat(selfApproval.text("detail")).contains("acts on behalf of");
    }
}
