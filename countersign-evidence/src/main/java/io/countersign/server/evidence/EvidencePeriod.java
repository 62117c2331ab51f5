package io.countersign.server.evidence;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * The half-open period {@code [from, to)} an evidence package covers: the requests created in
 * it are the population.
 */
public record EvidencePeriod(Instant from, Instant to) {
    public EvidencePeriod {
        requireNonNull(from, "from is null");
        requireNonNull(to, "to is null");
        if (!from.isBefore(to)) {
            throw new IllegalArgumentException("the period is empty: from " + from + " is not before to " + to);
        }
    }

    /**
     * Parses {@code from} and {@code to} as a date ({@code 2026-10-01}, midnight UTC), an instant
     * ({@code 2026-10-01T09:30:00Z}) or a date-time with an offset.
     *
     * @throws IllegalArgumentException naming the value that is not a date
     */
    public static EvidencePeriod parse(String from, String to) {
        return new EvidencePeriod(instant("from", from), instant("to", to));
    }

    public boolean contains(Instant time) {
        return !time.isBefore(from) && time.isBefore(to);
    }

    private static Instant instant(String name, String value) {
        requireNonNull(value, name + " is null");
        String text = value.strip();
        try {
            if (text.length() == 10) {
                return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
            }
            if (text.endsWith("Z") || text.endsWith("z")) {
                return Instant.parse(text.toUpperCase(java.util.Locale.ROOT));
            }
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(
                    name + " '" + value + "' is not a date (2026-10-01) or a time (2026-10-01T09:30:00Z)");
        }
    }
}
