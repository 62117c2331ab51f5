package io.countersign.identity;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Agent API keys and local human tokens: {@code csa_<id>_<secret>} for agents and
 * {@code csh_<id>_<secret>} for humans. The id finds the record; only the SHA-256 of the
 * secret is stored. The secret has 256 random bits, so a plain hash is enough: there is no
 * password to guess.
 */
public final class ApiTokens {
    private static final Pattern SHAPE = Pattern.compile("cs([ah])_([0-9a-f]{16})_([A-Za-z0-9_-]{43})");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final CredentialStore credentials;
    private final Clock clock;

    public ApiTokens(CredentialStore credentials, Clock clock) {
        this.credentials = requireNonNull(credentials, "credentials is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** Creates and stores a credential for the principal; the returned secret is shown once and never again. */
    public Secret issue(Principal principal) {
        byte[] idBytes = new byte[8];
        byte[] secretBytes = new byte[32];
        RANDOM.nextBytes(idBytes);
        RANDOM.nextBytes(secretBytes);
        String tokenId = HexFormat.of().formatHex(idBytes);
        String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(secretBytes);
        String kind = principal instanceof Agent ? "a" : "h";
        credentials.create(new StoredCredential(tokenId, principal, sha256Hex(secret), clock.instant()));
        return new Secret("cs" + kind + "_" + tokenId + "_" + secret);
    }

    /** The principal a presented bearer token belongs to, or empty for anything unknown or malformed. */
    public Optional<Principal> authenticate(String presented) {
        Matcher matcher = SHAPE.matcher(requireNonNull(presented, "presented is null"));
        if (!matcher.matches()) {
            return Optional.empty();
        }
        String kind = matcher.group(1);
        String presentedHash = sha256Hex(matcher.group(3));
        return credentials.findByTokenId(matcher.group(2))
                .filter(stored -> MessageDigest.isEqual(
                        stored.secretHash().getBytes(StandardCharsets.US_ASCII), presentedHash.getBytes(StandardCharsets.US_ASCII)))
                .map(StoredCredential::principal)
                .filter(principal -> kind.equals(principal instanceof Agent ? "a" : "h"));
    }

    public static boolean looksLikeApiToken(String presented) {
        return presented != null && SHAPE.matcher(presented).matches();
    }

    private static String sha256Hex(String value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
