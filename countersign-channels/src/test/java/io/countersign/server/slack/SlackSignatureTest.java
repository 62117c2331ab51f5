package io.countersign.server.slack;

import static org.assertj.core.api.Assertions.assertThat;

import com.slack.api.app_backend.SlackSignature.Generator;
import io.countersign.identity.Secret;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class SlackSignatureTest {
    private static final JsonNode SLACK_EXAMPLE = vectors().getFirst();
    private static final String TIMESTAMP = SLACK_EXAMPLE.path("timestamp").asString();
    private static final byte[] BODY = SLACK_EXAMPLE.path("body").asString().getBytes(StandardCharsets.UTF_8);
    private static final String SIGNATURE = SLACK_EXAMPLE.path("signature").asString();
    private static final Instant SENT = Instant.ofEpochSecond(Long.parseLong(TIMESTAMP));

    private final SlackSignature signature =
            new SlackSignature(new Secret(SLACK_EXAMPLE.path("signingSecret").asString()));

    @Test
    void slacksPublishedExample_signsAndVerifies() {
        assertThat(signature.sign(TIMESTAMP, BODY)).isEqualTo(SIGNATURE);
        assertThat(signature.refusal(TIMESTAMP, SIGNATURE, BODY, SENT)).isEmpty();
    }

    @Test
    void ourSignature_isTheSlackSdksSignature() {
        String body = "payload=%7B%22type%22%3A%22block_actions%22%7D";
        Generator sdk = new Generator(SLACK_EXAMPLE.path("signingSecret").asString());

        assertThat(signature.sign("1700000000", body.getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(sdk.generate("1700000000", body));
    }

    @Test
    void aChangedByteInTheBody_isRefused() {
        byte[] changed = BODY.clone();
        changed[changed.length - 1] ^= 1;

        assertThat(signature.refusal(TIMESTAMP, SIGNATURE, changed, SENT))
                .contains("X-Slack-Signature does not match the body");
    }

    @Test
    void anotherSecretsSignature_isRefused() {
        String forged = new SlackSignature(new Secret("not-the-signing-secret")).sign(TIMESTAMP, BODY);

        assertThat(signature.refusal(TIMESTAMP, forged, BODY, SENT)).isPresent();
    }

    @Test
    void aTimestampOlderThanFiveMinutes_isRefused_evenWithItsOwnValidSignature() {
        assertThat(signature.refusal(TIMESTAMP, SIGNATURE, BODY, SENT.plusSeconds(300)))
                .isEmpty();
        assertThat(signature.refusal(TIMESTAMP, SIGNATURE, BODY, SENT.plusSeconds(301)))
                .get()
                .asString()
                .contains("more than 300 s");
    }

    @Test
    void aTimestampMoreThanFiveMinutesAhead_isRefused() {
        assertThat(signature.refusal(TIMESTAMP, SIGNATURE, BODY, SENT.minusSeconds(301)))
                .isPresent();
    }

    @Test
    void missingOrMalformedHeaders_areRefused() {
        assertThat(signature.refusal(null, SIGNATURE, BODY, SENT)).contains("missing X-Slack-Request-Timestamp");
        assertThat(signature.refusal(TIMESTAMP, null, BODY, SENT)).contains("missing X-Slack-Signature");
        assertThat(signature.refusal("yesterday", SIGNATURE, BODY, SENT))
                .contains("X-Slack-Request-Timestamp is not a number of seconds");
        assertThat(signature.refusal(TIMESTAMP, "v0=", BODY, SENT)).isPresent();
        assertThat(signature.refusal(TIMESTAMP, SIGNATURE.replace("v0=", "v1="), BODY, SENT))
                .isPresent();
    }

    private static List<JsonNode> vectors() {
        try (InputStream in = SlackSignatureTest.class.getResourceAsStream("/slack/signature-vectors.json")) {
            List<JsonNode> all =
                    FakeSlack.MAPPER.readTree(in.readAllBytes()).valueStream().toList();
            return all;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
