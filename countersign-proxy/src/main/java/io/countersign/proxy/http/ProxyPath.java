package io.countersign.proxy.http;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The path an agent asks for below {@code /proxy/<name>}, checked so that it can only name a path
 * below the configured upstream: no dot segments (plain or percent-encoded), no encoded slash or
 * backslash, no empty segment (so {@code //evil.example} and an absolute URL can't become an
 * authority), no control characters, strict UTF-8. It is forwarded as the agent sent it (its raw,
 * still-encoded form), so the bytes that were decided are the bytes that go upstream.
 */
record ProxyPath(String raw, List<String> segments) {
    private static final int MAX_LENGTH = 4096;

    ProxyPath {
        requireNonNull(raw, "raw is null");
        segments = List.copyOf(segments);
    }

    /** The decoded path, {@code /repos/acme/api}; "/" for the upstream's root. */
    String decoded() {
        return "/" + String.join("/", segments);
    }

    /** @throws BadPath saying what is wrong, to show the agent */
    static ProxyPath parse(String raw) throws BadPath {
        requireNonNull(raw, "raw is null");
        if (raw.length() > MAX_LENGTH) {
            throw new BadPath("the path is " + raw.length() + " characters; at most " + MAX_LENGTH);
        }
        if (raw.isEmpty() || raw.equals("/")) {
            return new ProxyPath(raw, List.of());
        }
        if (!raw.startsWith("/")) {
            throw new BadPath("the path must start with '/'");
        }
        String lower = raw.toLowerCase(Locale.ROOT);
        for (String refused : List.of("%2f", "%5c", "%00", "\\")) {
            if (lower.contains(refused)) {
                throw new BadPath("the path contains '" + refused + "', which could name another path than it shows");
            }
        }
        String body = raw.substring(1);
        if (body.endsWith("/")) {
            body = body.substring(0, body.length() - 1); // one trailing slash is a path like any other
        }
        List<String> segments = new ArrayList<>();
        for (String segment : body.split("/", -1)) {
            if (segment.isEmpty()) {
                throw new BadPath("the path has an empty segment ('//'), refused so it can't name another host");
            }
            String decoded = decode(segment);
            if (decoded.equals(".") || decoded.equals("..")) {
                throw new BadPath("the path has a '" + decoded + "' segment; it must name a path below the upstream");
            }
            for (int i = 0; i < decoded.length(); i++) {
                char c = decoded.charAt(i);
                if (c < 0x20 || c == 0x7f) {
                    throw new BadPath("the path has a control character (0x" + Integer.toHexString(c) + ")");
                }
            }
            segments.add(decoded);
        }
        return new ProxyPath(raw, segments);
    }

    /** Percent-decoding of one path segment ('+' is a plus here), strict about escapes and UTF-8. */
    static String decode(String segment) throws BadPath {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(segment.length());
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c == '%') {
                if (i + 2 >= segment.length()) {
                    throw new BadPath("the path has an incomplete escape '" + segment.substring(i) + "'");
                }
                int high = Character.digit(segment.charAt(i + 1), 16);
                int low = Character.digit(segment.charAt(i + 2), 16);
                if (high < 0 || low < 0) {
                    throw new BadPath("the path has an invalid escape '" + segment.substring(i, i + 3) + "'");
                }
                bytes.write(high * 16 + low);
                i += 2;
            } else if (c > 0x7e || c <= 0x20 || c == '#' || c == '?') {
                throw new BadPath(
                        "the path has a character that must be percent-encoded (0x" + Integer.toHexString(c) + ")");
            } else {
                bytes.write(c);
            }
        }
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new BadPath("the path is not UTF-8 once decoded");
        }
    }

    /** A path the proxy refuses; the message is safe to show the agent. */
    static final class BadPath extends Exception {
        BadPath(String message) {
            super(message, null, false, false);
        }
    }
}
