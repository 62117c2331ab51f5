package io.countersign.tlog.internal;

import java.util.Base64;
import java.util.HexFormat;
import org.jspecify.annotations.Nullable;

/** Strict text encodings shared by the parsers: one accepted spelling per value. */
public final class Encoding {
    private static final Base64.Encoder BASE64 = Base64.getEncoder();
    private static final Base64.Decoder BASE64_DECODER = Base64.getDecoder();
    private static final HexFormat HEX = HexFormat.of();

    private Encoding() {}

    public static String base64(byte[] bytes) {
        return BASE64.encodeToString(bytes);
    }

    /**
     * Decodes standard padded base64 (RFC 4648 §4), or returns null. The JDK decoder accepts
     * missing padding and non-zero trailing bits; re-encoding and comparing rejects both, so
     * that every value has exactly one textual form and a signed text cannot be re-spelled.
     */
    public static byte @Nullable [] decodeBase64OrNull(String text) {
        byte[] bytes;
        try {
            bytes = BASE64_DECODER.decode(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
        return BASE64.encodeToString(bytes).equals(text) ? bytes : null;
    }

    public static String hex(byte[] bytes) {
        return HEX.formatHex(bytes);
    }

    /** A key id as the 8 lowercase hex digits used in key strings and messages. */
    public static String keyIdHex(int keyId) {
        return String.format("%08x", keyId);
    }

    /**
     * Parses a non-negative ASCII decimal without sign or leading zeros ("0" itself is fine),
     * as the C2SP formats require; returns -1 if the text is not one or exceeds a long.
     */
    public static long parseDecimalOrMinusOne(String text) {
        if (text.isEmpty() || text.length() > 19 || (text.length() > 1 && text.charAt(0) == '0')) {
            return -1;
        }
        long value = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
            if (value < 0) {
                return -1; // 19 digits can overflow a long
            }
        }
        return value;
    }
}
