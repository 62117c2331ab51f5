package io.countersign.client;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What a request that needs humans is waiting for: {@code quorum} distinct members of
 * {@code groups} must approve, before {@code expiresAt} when the policy set a timeout;
 * {@code url} is where to look at it.
 */
public record Approval(List<String> groups, int quorum, Optional<Instant> expiresAt, URI url) {

    public Approval {
        requireNonNull(groups, "groups is null");
        requireNonNull(expiresAt, "expiresAt is null");
        requireNonNull(url, "url is null");
        groups = List.copyOf(groups);
        if (quorum < 1) {
            throw new IllegalArgumentException("quorum is " + quorum + ", want at least 1");
        }
    }
}
