package io.countersign.client;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/** One human's approve or deny on a request, with where and when it was cast. */
public record Vote(String voter, VoteChoice choice, Optional<String> comment, Instant time, String channel) {

    public Vote {
        requireNonNull(voter, "voter is null");
        requireNonNull(choice, "choice is null");
        requireNonNull(comment, "comment is null");
        requireNonNull(time, "time is null");
        requireNonNull(channel, "channel is null");
    }
}
