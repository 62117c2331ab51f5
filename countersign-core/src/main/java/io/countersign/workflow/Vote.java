package io.countersign.workflow;

import static java.util.Objects.requireNonNull;

import io.countersign.identity.Person;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * One human's approve or deny on a request, with their comment, the time and the channel it came
 * through. {@code groups} are the voter's groups when they voted: quorum is counted from them, so a
 * later change of membership does not change what a recorded vote counted for.
 */
public record Vote(
        String voter,
        String email,
        Set<String> groups,
        Choice choice,
        Optional<String> comment,
        Instant time,
        String channel) {
    public enum Choice {
        APPROVE("approve"),
        DENY("deny");

        private final String wireName;

        Choice(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }

        public static Choice fromWireName(String name) {
            return switch (name) {
                case "approve" -> APPROVE;
                case "deny" -> DENY;
                default -> throw new IllegalArgumentException("unknown vote '" + name + "'");
            };
        }
    }

    public Vote {
        requireNonNull(voter, "voter is null");
        requireNonNull(email, "email is null");
        groups = Set.copyOf(requireNonNull(groups, "groups is null"));
        requireNonNull(choice, "choice is null");
        requireNonNull(comment, "comment is null");
        requireNonNull(time, "time is null");
        requireNonNull(channel, "channel is null");
    }

    /** Who voted, as a person: one person counts once toward a quorum, whatever identity they used. */
    public Person person() {
        return new Person(voter, email);
    }
}
