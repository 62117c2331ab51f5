package io.countersign.server.insights;

import static java.util.Objects.requireNonNull;

import io.countersign.store.GatewayStore;
import io.countersign.workflow.ApprovalRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The requests recorded in a window of time, as the store holds them now (with their votes and
 * outcome): what insights and replay read. Requests of the gateway's own system agents (a policy
 * change) are not agents' actions and are left out.
 */
public record DecisionHistory(Instant from, Instant to, List<ApprovalRequest> requests) {
    public static final Duration DEFAULT_WINDOW = Duration.ofDays(30);
    private static final Duration LONGEST_WINDOW = Duration.ofDays(3660);
    private static final Pattern DURATION = Pattern.compile("(\\d{1,7})([smhd])");

    public DecisionHistory {
        requireNonNull(from, "from is null");
        requireNonNull(to, "to is null");
        requests = List.copyOf(requireNonNull(requests, "requests is null"));
    }

    /** The requests created in the {@code window} before {@code now}, oldest first. */
    public static DecisionHistory load(
            GatewayStore store, Duration window, Instant now, Predicate<ApprovalRequest> systemRequest) {
        requireNonNull(store, "store is null");
        requireNonNull(systemRequest, "systemRequest is null");
        Instant from = now.minus(window);
        // Inclusive of now: a request made this millisecond is part of the history.
        Instant to = now.plusMillis(1);
        return new DecisionHistory(
                from,
                to,
                store.requestsCreatedBetween(from, to).stream()
                        .filter(systemRequest.negate())
                        .toList());
    }

    /**
     * {@code 90s}, {@code 12h}, {@code 30d}: how far back to look.
     *
     * @throws IllegalArgumentException naming the text when it is not such a duration, or longer than ten years
     */
    public static Duration parseWindow(String text) {
        Matcher matcher = DURATION.matcher(text.trim());
        if (!matcher.matches()) {
            throw new IllegalArgumentException(
                    "'" + text + "' is not a duration; want a whole number and a unit s, m, h or d, e.g. 30d");
        }
        long amount = Long.parseLong(matcher.group(1));
        Duration window =
                switch (matcher.group(2)) {
                    case "s" -> Duration.ofSeconds(amount);
                    case "m" -> Duration.ofMinutes(amount);
                    case "h" -> Duration.ofHours(amount);
                    default -> Duration.ofDays(amount);
                };
        if (window.isZero() || window.compareTo(LONGEST_WINDOW) > 0) {
            throw new IllegalArgumentException("'" + text + "' is out of range; want more than 0 and at most 3660d");
        }
        return window;
    }
}
