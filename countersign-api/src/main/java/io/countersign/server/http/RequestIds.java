package io.countersign.server.http;

import java.security.SecureRandom;
import java.util.HexFormat;

/** Every call gets an id, sent back as {@code X-Request-Id} and written on its log line and problem. */
public final class RequestIds {
    public static final String ATTRIBUTE = "countersign.requestId";
    public static final String HEADER = "X-Request-Id";
    private static final SecureRandom RANDOM = new SecureRandom();

    private RequestIds() {}

    public static String next() {
        byte[] bytes = new byte[8];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
