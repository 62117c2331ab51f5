package io.countersign.client;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * An agent's API key. It never prints itself ({@link #toString()} is {@code ***}), compares in
 * constant time, and only this package can read it back, to put it in the {@code Authorization}
 * header.
 */
public final class ApiKey {
    private final String value;

    private ApiKey(String value) {
        this.value = value;
    }

    /**
     * @throws IllegalArgumentException if the key is blank or holds characters an HTTP header can't carry
     */
    public static ApiKey of(String value) {
        requireNonNull(value, "api key is null");
        if (value.isBlank()) {
            throw new IllegalArgumentException("api key is blank");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            // Visible ASCII only: anything else would be rejected by the HTTP client or split the header.
            if (c < 0x21 || c > 0x7e) {
                // The message names the position, never the key.
                throw new IllegalArgumentException("api key has a character that is not visible ASCII at index " + i);
            }
        }
        return new ApiKey(value);
    }

    String reveal() {
        return value;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ApiKey key
                && MessageDigest.isEqual(
                        value.getBytes(StandardCharsets.UTF_8), key.value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public int hashCode() {
        return 0; // a hash of the value would leak information about it
    }

    @Override
    public String toString() {
        return "***";
    }
}
