package io.countersign.identity;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
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
    /** Last-used times are written at most this often per credential: a write per call would cost an fsync each. */
    static final Duration TOUCH_INTERVAL = Duration.ofMinutes(1);

    private final CredentialStore credentials;
    private final Clock clock;
    private final ConcurrentMap<String, Instant> lastTouched = new ConcurrentHashMap<>();

    public ApiTokens(CredentialStore credentials, Clock clock) {
        this.credentials = requireNonNull(credentials, "credentials is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** Creates and stores a credential for the principal; the returned secret is shown once and never again. */
    public Secret issue(Principal principal) {
        return issue(principal, Optional.empty(), Scopes.UNRESTRICTED);
    }

    /** A credential that stops working at {@code expiresAt} (if given) and, for an agent, may request only {@code scopes}. */
    public Secret issue(Principal principal, Optional<Instant> expiresAt, Scopes scopes) {
        Minted minted = mint(principal, expiresAt, scopes);
        credentials.create(minted.credential());
        return minted.secret();
    }

    /** A new credential and its secret, not stored yet: for a caller that stores it in one transaction with its audit entry. */
    public record Minted(StoredCredential credential, Secret secret) {
        public Minted {
            requireNonNull(credential, "credential is null");
            requireNonNull(secret, "secret is null");
        }
    }

    /** Like {@link #issue(Principal, Optional, Scopes)}, but stores nothing; the caller stores {@link Minted#credential()}. */
    public Minted mint(Principal principal, Optional<Instant> expiresAt, Scopes scopes) {
        requireNonNull(principal, "principal is null");
        byte[] idBytes = new byte[8];
        byte[] secretBytes = new byte[32];
        RANDOM.nextBytes(idBytes);
        RANDOM.nextBytes(secretBytes);
        String tokenId = HexFormat.of().formatHex(idBytes);
        String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(secretBytes);
        String kind = principal instanceof Agent ? "a" : "h";
        StoredCredential credential = new StoredCredential(
                tokenId,
                principal,
                sha256Hex(secret),
                clock.instant(),
                expiresAt,
                Optional.empty(),
                Optional.empty(),
                scopes);
        return new Minted(credential, new Secret("cs" + kind + "_" + tokenId + "_" + secret));
    }

    /** The principal a presented bearer token belongs to, or empty for anything unknown, malformed, revoked or expired. */
    public Optional<Principal> authenticate(String presented) {
        return check(presented) instanceof KeyCheck.Valid valid
                ? Optional.of(valid.credential().principal())
                : Optional.empty();
    }

    /**
     * The credential a presented token belongs to, or why it is refused. Records the last use
     * (at most once per {@link #TOUCH_INTERVAL} per credential).
     */
    public KeyCheck check(String presented) {
        Matcher matcher = SHAPE.matcher(requireNonNull(presented, "presented is null"));
        if (!matcher.matches()) {
            return new KeyCheck.Refused("not an API key or local token");
        }
        String kind = matcher.group(1);
        String presentedHash = sha256Hex(matcher.group(3));
        Optional<StoredCredential> found = credentials
                .findByTokenId(matcher.group(2))
                .filter(stored -> MessageDigest.isEqual(
                        stored.secretHash().getBytes(StandardCharsets.US_ASCII),
                        presentedHash.getBytes(StandardCharsets.US_ASCII)))
                .filter(stored -> kind.equals(stored.principal() instanceof Agent ? "a" : "h"));
        if (found.isEmpty()) {
            return new KeyCheck.Refused("unknown API key or local token");
        }
        Instant now = clock.instant();
        Optional<String> unusable = found.get().unusableAt(now);
        if (unusable.isPresent()) {
            return new KeyCheck.Refused(unusable.get());
        }
        touch(found.get().tokenId(), now);
        return new KeyCheck.Valid(found.get());
    }

    private void touch(String tokenId, Instant now) {
        Instant previous = lastTouched.get(tokenId);
        if (previous != null && now.isBefore(previous.plus(TOUCH_INTERVAL))) {
            return;
        }
        lastTouched.put(tokenId, now);
        credentials.touch(tokenId, now);
    }

    public static boolean looksLikeApiToken(String presented) {
        return presented != null && SHAPE.matcher(presented).matches();
    }

    private static String sha256Hex(String value) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
