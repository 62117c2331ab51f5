package io.countersign.identity;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/** A credential at rest: the principal it authenticates and the SHA-256 (hex) of its secret part. */
public record StoredCredential(String tokenId, Principal principal, String secretHash, Instant createdAt) {
    public StoredCredential {
        requireNonNull(tokenId, "tokenId is null");
        requireNonNull(principal, "principal is null");
        requireNonNull(secretHash, "secretHash is null");
        requireNonNull(createdAt, "createdAt is null");
    }

    @Override
    public String toString() {
        return "StoredCredential[" + tokenId + " for " + principal.auditName() + "]";
    }
}
