package io.countersign.action;

import static java.util.Objects.requireNonNull;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 of an action's canonical JSON, as 64 lowercase hex digits. */
public record ActionDigest(String hex) {
    public ActionDigest {
        requireNonNull(hex, "hex is null");
        if (!hex.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("action digest must be 64 lowercase hex digits, got '" + hex + "'");
        }
    }

    public static ActionDigest of(byte[] canonicalJson) {
        try {
            return new ActionDigest(HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(canonicalJson)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** Constant time: a digest is compared while deciding whether a grant may be used. */
    public boolean matches(ActionDigest other) {
        return MessageDigest.isEqual(
                hex.getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                other.hex.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    @Override
    public String toString() {
        return hex;
    }
}
