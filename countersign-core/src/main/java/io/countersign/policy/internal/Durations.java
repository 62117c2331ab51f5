package io.countersign.policy.internal;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Policy durations: a whole number and one unit, {@code 90s}, {@code 30m}, {@code 2h}, {@code 1d}. */
public final class Durations {
    private static final Pattern DURATION = Pattern.compile("([0-9]{1,9})([smhd])");
    // A request pending longer than a year is a policy mistake, not a workflow.
    static final Duration MAX = Duration.ofDays(365);

    private Durations() {}

    /** @throws IllegalArgumentException naming the text and the expected form */
    public static Duration parse(String text) {
        Matcher matcher = DURATION.matcher(text.strip());
        if (!matcher.matches()) {
            throw new IllegalArgumentException("'" + text
                    + "' is not a duration; want a whole number and a unit s, m, h or d, e.g. 90s, 30m, 2h, 1d");
        }
        long amount = Long.parseLong(matcher.group(1));
        Duration duration =
                switch (matcher.group(2)) {
                    case "s" -> Duration.ofSeconds(amount);
                    case "m" -> Duration.ofMinutes(amount);
                    case "h" -> Duration.ofHours(amount);
                    case "d" -> Duration.ofDays(amount);
                    default ->
                        throw new IllegalStateException(
                                "the pattern admits only s, m, h, d; got '" + matcher.group(2) + "'");
                };
        if (duration.isZero()) {
            throw new IllegalArgumentException("'" + text + "' is zero; want a positive duration");
        }
        if (duration.compareTo(MAX) > 0) {
            throw new IllegalArgumentException("'" + text + "' is longer than the maximum of 365d");
        }
        return duration;
    }
}
