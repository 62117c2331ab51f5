package io.countersign.workflow;

import static java.util.Objects.requireNonNull;

import io.countersign.action.ActionDigest;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Grant tokens: {@code cgr_<request id>.<mac>}, where the mac is HMAC-SHA256 under a server key
 * over the request id, the action digest and the expiry. Nothing secret is stored: the server
 * derives the token again when the agent reads its request, and a stolen database alone
 * can't mint one. Because the digest is inside the mac, a token checked against a different
 * action (one changed byte is enough) does not verify.
 */
public final class GrantTokens {
    private static final Pattern SHAPE = Pattern.compile("cgr_(req_[0-9a-z]{26})\\.([A-Za-z0-9_-]{43})");
    private static final String ALGORITHM = "HmacSHA256";

    private final SecretKeySpec key;

    public GrantTokens(byte[] key) {
        requireNonNull(key, "key is null");
        if (key.length < 32) {
            throw new IllegalArgumentException("grant key has " + key.length + " bytes, want at least 32");
        }
        this.key = new SecretKeySpec(key.clone(), ALGORITHM);
    }

    public String token(RequestId id, ActionDigest digest, Instant expiresAt) {
        return "cgr_" + id.value() + "."
                + Base64.getUrlEncoder().withoutPadding().encodeToString(mac(id, digest, expiresAt));
    }

    /** The request a presented token names, if it has the shape of a grant token at all. */
    public static Optional<RequestId> requestOf(String presented) {
        Matcher matcher = SHAPE.matcher(presented);
        return matcher.matches() ? Optional.of(new RequestId(matcher.group(1))) : Optional.empty();
    }

    /** Whether the presented token is the grant for exactly this request, action and expiry. Constant time. */
    public boolean verifies(String presented, RequestId id, ActionDigest digest, Instant expiresAt) {
        byte[] expected = token(id, digest, expiresAt).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, presented.getBytes(StandardCharsets.US_ASCII));
    }

    private byte[] mac(RequestId id, ActionDigest digest, Instant expiresAt) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            String message = id.value() + "\n" + digest.hex() + "\n" + expiresAt.toEpochMilli();
            return mac.doFinal(message.getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK has " + ALGORITHM, e);
        }
    }

    @Override
    public String toString() {
        return "GrantTokens[key=***]";
    }
}
