package io.countersign.server.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class WebhookSignatureTest {

    /** The vector of the Standard Webhooks reference libraries (TestWebhookSign in libraries/go/webhook_test.go). */
    @Test
    void signsTheStandardWebhooksTestVector() {
        WebhookSecret secret = WebhookSecret.parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");

        String signature = WebhookSignature.sign(
                secret,
                "msg_p5jXN8AQM9LWM0D4loKWxJek",
                1614265330L,
                "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8));

        assertThat(signature).isEqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    @Test
    void theSecretPrefix_isOptional_andTheSecretNeverPrintsItself() {
        WebhookSecret prefixed = WebhookSecret.parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        WebhookSecret bare = WebhookSecret.parse("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");

        assertThat(prefixed).isEqualTo(bare);
        assertThat(prefixed.toString()).isEqualTo("***");
    }

    @Test
    void aShortOrMalformedSecret_isRefused() {
        assertThatThrownBy(() -> WebhookSecret.parse("whsec_c2hvcnQ=")).hasMessageContaining("at least 24 bytes");
        assertThatThrownBy(() -> WebhookSecret.parse("whsec_not base64!")).hasMessageContaining("base64");
    }
}
