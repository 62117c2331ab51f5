package io.countersign.server.slack;

import static java.util.Objects.requireNonNull;

import io.countersign.identity.Secret;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * Slack's request signature, {@code X-Slack-Signature: v0=hex(HMAC-SHA256(signing secret,
 * "v0:" + X-Slack-Request-Timestamp + ":" + raw body))}, checked over the body's exact bytes.
 * A timestamp more than 5 minutes from now, either way, is refused, so a captured request can't
 * be replayed later. The SDK's own verifier is not used: it compares with {@code String.equals}
 * (not in constant time), takes the body as a decoded string, and logs bodies at debug level.
 */
public final class SlackSignature {
    public static final Duration MAX_AGE = Duration.ofMinutes(5);
    private static final String VERSION = "v0";

    private final Secret signingSecret;

    public SlackSignature(Secret signingSecret) {
        this.signingSecret = requireNonNull(signingSecret, "signingSecret is null");
    }

    /** Why the request is not Slack's, or empty when it is. The reason names no secret and no expected value. */
    public Optional<String> refusal(@Nullable String timestamp, @Nullable String signature, byte[] body, Instant now) {
        requireNonNull(body, "body is null");
        if (timestamp == null || timestamp.isBlank()) {
            return Optional.of("missing X-Slack-Request-Timestamp");
        }
        if (signature == null || signature.isBlank()) {
            return Optional.of("missing X-Slack-Signature");
        }
        long seconds;
        try {
            seconds = Long.parseLong(timestamp.trim());
        } catch (NumberFormatException e) {
            return Optional.of("X-Slack-Request-Timestamp is not a number of seconds");
        }
        long skew = Math.abs(now.getEpochSecond() - seconds);
        if (skew > MAX_AGE.toSeconds()) {
            return Optional.of("X-Slack-Request-Timestamp is " + skew + " s away from now, more than "
                    + MAX_AGE.toSeconds() + " s");
        }
        byte[] expected = sign(timestamp.trim(), body).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, signature.trim().getBytes(StandardCharsets.UTF_8))) {
            return Optional.of("X-Slack-Signature does not match the body");
        }
        return Optional.empty();
    }

    /** The {@code v0=...} signature of a body sent at {@code timestamp}. */
    public String sign(String timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(signingSecret.reveal().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((VERSION + ":" + timestamp + ":").getBytes(StandardCharsets.UTF_8));
            mac.update(body);
            return VERSION + "=" + HexFormat.of().formatHex(mac.doFinal());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
        }
    }
}
