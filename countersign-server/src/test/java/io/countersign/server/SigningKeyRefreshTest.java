package io.countersign.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.server.Http.Response;
import io.countersign.server.identity.IdentityConfig;
import io.countersign.server.identity.OidcSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The provider's signing keys are fetched again periodically, and a rate-limited refetch says to retry. */
class SigningKeyRefreshTest {
    @TempDir
    Path directory;

    private final TestIdentityProvider provider = new TestIdentityProvider();
    private TestGateway gateway;

    private void start(Duration keysRefresh) {
        OidcSettings settings = new OidcSettings(provider.issuer(), TestIdentityProvider.AUDIENCE)
                .withTiming(OidcSettings.DEFAULT_CLOCK_SKEW, keysRefresh);
        gateway = new TestGateway(directory, IdentityConfig.localOnly().withOidc(settings), "/e2e-policy.yaml");
    }

    @AfterEach
    void stop() {
        gateway.close();
        provider.close();
    }

    /**
     * The first call discovers the provider; on a loaded machine the cold mock server can miss the
     * 2 s read timeout, and discovery is retried after 10 s. What is under test comes after.
     */
    private Response firstCall(String token) throws InterruptedException {
        Response answer = inbox(token);
        for (int attempt = 0;
                attempt < 2 && answer.status() == 401 && answer.text("detail").contains("unreachable");
                attempt++) {
            Thread.sleep(11_000);
            answer = inbox(token);
        }
        return answer;
    }

    private Response inbox(String token) {
        return gateway.http.get("/v1/approvals", token);
    }

    @Test
    void aKeyTheProviderRemoved_stopsWorkingOnceTheKeysAreFetchedAgain() throws InterruptedException {
        start(Duration.ofSeconds(2));
        String underTheOldKey = provider.issue("alice", Map.of());
        Response before = firstCall(underTheOldKey);
        assertThat(before.status()).as(before.body()).isEqualTo(200);

        provider.removeOriginalKey();
        Thread.sleep(3_000);

        Response refused = inbox(underTheOldKey);
        assertThat(refused.status()).as(refused.body()).isIn(401, 503);
        assertThat(refused.text("detail")).doesNotContain("null");
        assertThat(inbox(provider.sign(provider.claims("alice").build())).status())
                .as("the new key works")
                .isEqualTo(200);
    }

    @Test
    void aRateLimitedRefetch_saysTheKeysAreBeingRefreshed_notNull() throws InterruptedException {
        start(OidcSettings.DEFAULT_KEYS_REFRESH);
        assertThat(firstCall(provider.issue("alice", Map.of())).status()).isEqualTo(200);
        inbox(TestIdentityProvider.signWith(
                TestIdentityProvider.newKey("stranger-1"),
                provider.claims("alice").build()));

        Response limited = inbox(TestIdentityProvider.signWith(
                TestIdentityProvider.newKey("stranger-2"),
                provider.claims("alice").build()));

        assertThat(limited.status()).as(limited.body()).isEqualTo(503);
        assertThat(limited.contentType()).startsWith("application/problem+json");
        assertThat(limited.text("detail"))
                .isEqualTo("the provider's signing keys are being refreshed; retry in a few seconds");
    }
}
