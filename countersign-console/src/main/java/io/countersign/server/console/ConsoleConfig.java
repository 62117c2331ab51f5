package io.countersign.server.console;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;

/**
 * How the console signs people in at the identity provider (when {@code identity.oidc} is set):
 * the OAuth client registered for it, public (PKCE alone) or confidential (with a secret); and how
 * long a session lasts: {@code idleTimeout} without a person's action, {@code sessionLifetime} at
 * most after sign-in, whatever happens in between.
 */
public record ConsoleConfig(
        String clientId, Optional<String> clientSecret, Duration idleTimeout, Duration sessionLifetime) {
    public static final String DEFAULT_CLIENT_ID = "countersign-console";
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(30);
    public static final Duration DEFAULT_SESSION_LIFETIME = Duration.ofHours(12);

    public ConsoleConfig {
        requireNonNull(clientId, "clientId is null");
        requireNonNull(clientSecret, "clientSecret is null");
        requireNonNull(idleTimeout, "idleTimeout is null");
        requireNonNull(sessionLifetime, "sessionLifetime is null");
        if (clientId.isBlank()) {
            throw new IllegalArgumentException("console clientId is blank");
        }
        if (idleTimeout.isNegative() || idleTimeout.isZero() || sessionLifetime.compareTo(idleTimeout) < 0) {
            throw new IllegalArgumentException("console idleTimeout is " + idleTimeout + " and sessionLifetime "
                    + sessionLifetime + "; want a positive idle timeout no longer than the lifetime");
        }
    }

    public ConsoleConfig(String clientId, Optional<String> clientSecret) {
        this(clientId, clientSecret, DEFAULT_IDLE_TIMEOUT, DEFAULT_SESSION_LIFETIME);
    }

    public static ConsoleConfig defaults() {
        return new ConsoleConfig(DEFAULT_CLIENT_ID, Optional.empty());
    }

    @Override
    public String toString() {
        return "ConsoleConfig[clientId=" + clientId + ", clientSecret=" + (clientSecret.isPresent() ? "***" : "none")
                + ", idleTimeout=" + idleTimeout + ", sessionLifetime=" + sessionLifetime + "]";
    }
}
