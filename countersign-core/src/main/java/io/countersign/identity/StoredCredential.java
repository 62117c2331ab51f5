package io.countersign.identity;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/**
 * A credential at rest: the principal it authenticates, the SHA-256 (hex) of its secret part, and
 * its life: an optional expiry, when it was revoked (a revoked credential never authenticates
 * again), when it was last used, and the scopes of an agent's key.
 */
public record StoredCredential(
        String tokenId,
        Principal principal,
        String secretHash,
        Instant createdAt,
        Optional<Instant> expiresAt,
        Optional<Instant> revokedAt,
        Optional<Instant> lastUsedAt,
        Scopes scopes) {
    public StoredCredential {
        requireNonNull(tokenId, "tokenId is null");
        requireNonNull(principal, "principal is null");
        requireNonNull(secretHash, "secretHash is null");
        requireNonNull(createdAt, "createdAt is null");
        requireNonNull(expiresAt, "expiresAt is null");
        requireNonNull(revokedAt, "revokedAt is null");
        requireNonNull(lastUsedAt, "lastUsedAt is null");
        requireNonNull(scopes, "scopes is null");
        if (principal instanceof Human && scopes.actions().isPresent()) {
            throw new IllegalArgumentException(
                    "credential " + tokenId + ": scopes are for agents' keys, not for humans");
        }
    }

    /** A credential that never expires, unrevoked, unused, unrestricted. */
    public StoredCredential(String tokenId, Principal principal, String secretHash, Instant createdAt) {
        this(
                tokenId,
                principal,
                secretHash,
                createdAt,
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Scopes.UNRESTRICTED);
    }

    /** Why this credential does not authenticate at {@code now}, or empty when it does. */
    public Optional<String> unusableAt(Instant now) {
        if (revokedAt.isPresent()) {
            return Optional.of("the credential " + tokenId + " of " + principal.auditName() + " was revoked at "
                    + revokedAt.get());
        }
        if (expiresAt.isPresent() && !now.isBefore(expiresAt.get())) {
            return Optional.of(
                    "the credential " + tokenId + " of " + principal.auditName() + " expired at " + expiresAt.get());
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return "StoredCredential[" + tokenId + " for " + principal.auditName() + "]";
    }
}
