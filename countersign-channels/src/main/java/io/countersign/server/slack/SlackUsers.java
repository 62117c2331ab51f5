package io.countersign.server.slack;

import static java.util.Objects.requireNonNull;

import io.countersign.identity.Human;
import io.countersign.server.identity.HumanDirectory;
import io.countersign.server.slack.SlackApi.SlackUser;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who a Slack user is in Countersign: users.info (cached for {@link #TTL}, so a burst of clicks
 * costs one call) gives the email, which counts only when Slack says it is confirmed; the
 * {@link HumanDirectory} then finds the human with that email and a live credential (not cached,
 * so a revoked credential stops voting at once).
 */
public final class SlackUsers {
    public static final Duration TTL = Duration.ofMinutes(5);
    private static final int MAX_CACHED = 10_000;

    /** The human, or why the Slack user can't vote as anyone. */
    public sealed interface Lookup permits Found, Unknown {}

    public record Found(Human human) implements Lookup {
        public Found {
            requireNonNull(human, "human is null");
        }
    }

    public record Unknown(String why) implements Lookup {
        public Unknown {
            requireNonNull(why, "why is null");
        }
    }

    private record Cached(SlackUser user, Instant fetchedAt) {}

    private final SlackApi api;
    private final HumanDirectory humans;
    private final Clock clock;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    public SlackUsers(SlackApi api, HumanDirectory humans, Clock clock) {
        this.api = requireNonNull(api, "api is null");
        this.humans = requireNonNull(humans, "humans is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    public Lookup human(String slackUserId) throws SlackApi.SlackCallFailed {
        requireNonNull(slackUserId, "slackUserId is null");
        SlackUser user = user(slackUserId);
        if (user.deletedOrBot()) {
            return new Unknown("your Slack account is a bot or deactivated, so it can't vote");
        }
        if (user.confirmedEmail().isEmpty()) {
            return new Unknown("Slack has no confirmed email for your account, so Countersign can't tell who you are");
        }
        String email = user.confirmedEmail().get();
        return humans.byVerifiedEmail(email)
                .<Lookup>map(Found::new)
                .orElseGet(() -> new Unknown("Countersign has no approver with the email " + email
                        + " (an admin adds you with `countersign humans create`)"));
    }

    private SlackUser user(String id) throws SlackApi.SlackCallFailed {
        Instant now = clock.instant();
        Cached cached = cache.get(id);
        if (cached != null && now.isBefore(cached.fetchedAt().plus(TTL))) {
            return cached.user();
        }
        SlackUser user = api.user(id);
        if (cache.size() >= MAX_CACHED) {
            cache.clear(); // crude, but bounded: a workspace rarely has this many approvers clicking within the TTL
        }
        cache.put(id, new Cached(user, now));
        return user;
    }
}
