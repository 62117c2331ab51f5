package io.countersign.workflow;

import static java.util.Objects.requireNonNull;

import java.security.SecureRandom;
import java.util.regex.Pattern;

/** A request's id: {@code req_} and 26 random base-32 characters (130 bits). */
public record RequestId(String value) {
    private static final Pattern SHAPE = Pattern.compile("req_[0-9a-z]{26}");
    private static final char[] ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    public RequestId {
        requireNonNull(value, "value is null");
        if (!SHAPE.matcher(value).matches()) {
            throw new IllegalArgumentException(
                    "'" + (value.length() > 40 ? value.substring(0, 40) + "..." : value) + "' is not a request id");
        }
    }

    public static RequestId random() {
        char[] chars = new char[26];
        for (int i = 0; i < chars.length; i++) {
            chars[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        }
        return new RequestId("req_" + new String(chars));
    }

    public static boolean isValid(String value) {
        return value != null && SHAPE.matcher(value).matches();
    }

    @Override
    public String toString() {
        return value;
    }
}
