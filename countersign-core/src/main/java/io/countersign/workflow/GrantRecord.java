package io.countersign.workflow;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/**
 * The stored side of a grant: when it was issued, until when it may be used, and when it was
 * used. The token itself is never stored; {@link GrantTokens} derives it from a server key.
 */
public record GrantRecord(Instant issuedAt, Instant expiresAt, Optional<Instant> usedAt) {
    public GrantRecord {
        requireNonNull(issuedAt, "issuedAt is null");
        requireNonNull(expiresAt, "expiresAt is null");
        requireNonNull(usedAt, "usedAt is null");
    }

    public GrantRecord used(Instant at) {
        return new GrantRecord(issuedAt, expiresAt, Optional.of(at));
    }
}
