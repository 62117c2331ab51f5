package io.countersign.server.webhooks;

import java.util.Arrays;
import java.util.Base64;

/**
 * A Standard Webhooks signing secret: {@code whsec_} followed by the base64 of the key bytes (the
 * prefix is optional on input). Never prints itself.
 */
public final class WebhookSecret {
    private static final String PREFIX = "whsec_";
    private static final int MIN_BYTES = 24;

    private final byte[] key;

    private WebhookSecret(byte[] key) {
        this.key = key;
    }

    /** @throws IllegalArgumentException when it isn't base64 or is shorter than 24 bytes (the spec asks for 24 to 64) */
    public static WebhookSecret parse(String text) {
        String base64 = text.startsWith(PREFIX) ? text.substring(PREFIX.length()) : text;
        byte[] key;
        try {
            key = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("a webhook secret must be whsec_ followed by base64");
        }
        if (key.length < MIN_BYTES) {
            throw new IllegalArgumentException(
                    "a webhook secret must have at least " + MIN_BYTES + " bytes, this one has " + key.length);
        }
        return new WebhookSecret(key);
    }

    byte[] key() {
        return key.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof WebhookSecret secret && java.security.MessageDigest.isEqual(key, secret.key);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(key);
    }

    @Override
    public String toString() {
        return "***";
    }
}
