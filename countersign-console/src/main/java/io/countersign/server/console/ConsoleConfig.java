package io.countersign.server.console;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * How the console signs people in at the identity provider (when {@code identity.oidc} is set):
 * the OAuth client registered for it, public (PKCE alone) or confidential (with a secret).
 */
public record ConsoleConfig(String clientId, Optional<String> clientSecret) {
    public static final String DEFAULT_CLIENT_ID = "countersign-console";

    public ConsoleConfig {
        requireNonNull(clientId, "clientId is null");
        requireNonNull(clientSecret, "clientSecret is null");
        if (clientId.isBlank()) {
            throw new IllegalArgumentException("console clientId is blank");
        }
    }

    public static ConsoleConfig defaults() {
        return new ConsoleConfig(DEFAULT_CLIENT_ID, Optional.empty());
    }

    @Override
    public String toString() {
        return "ConsoleConfig[clientId=" + clientId + ", clientSecret=" + (clientSecret.isPresent() ? "***" : "none") + "]";
    }
}
