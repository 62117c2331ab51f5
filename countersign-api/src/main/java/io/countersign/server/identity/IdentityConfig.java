package io.countersign.server.identity;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code identity:} section of the config: the OIDC provider (if any), which groups hold the
 * admin and auditor roles, OIDC clients registered as agents, the break-glass group, and how
 * fresh a sign-in must be for a step-up rule.
 */
public record IdentityConfig(
        Optional<OidcSettings> oidc,
        Set<String> adminGroups,
        Set<String> auditorGroups,
        List<ClientAgent> clientAgents,
        Optional<String> breakGlassGroup,
        Duration stepUpMaxAge) {
    public static final Duration DEFAULT_STEP_UP_MAX_AGE = Duration.ofMinutes(10);

    public IdentityConfig {
        requireNonNull(oidc, "oidc is null");
        adminGroups = Set.copyOf(requireNonNull(adminGroups, "adminGroups is null"));
        auditorGroups = Set.copyOf(requireNonNull(auditorGroups, "auditorGroups is null"));
        clientAgents = List.copyOf(requireNonNull(clientAgents, "clientAgents is null"));
        requireNonNull(breakGlassGroup, "breakGlassGroup is null");
        requireNonNull(stepUpMaxAge, "stepUpMaxAge is null");
        if (!clientAgents.isEmpty() && oidc.isEmpty()) {
            throw new IllegalArgumentException(
                    "client agents need an OIDC provider (identity.oidc) to verify their tokens");
        }
        Set<String> subjects = new HashSet<>();
        Set<String> names = new HashSet<>();
        for (ClientAgent client : clientAgents) {
            if (!subjects.add(client.subject())) {
                throw new IllegalArgumentException("client id '" + client.subject() + "' is registered twice");
            }
            if (!names.add(client.agent().name().toLowerCase(java.util.Locale.ROOT))) {
                throw new IllegalArgumentException(
                        "agent name '" + client.agent().name() + "' is registered twice");
            }
        }
        if (stepUpMaxAge.isNegative() || stepUpMaxAge.isZero()) {
            throw new IllegalArgumentException("step-up max age is " + stepUpMaxAge + ", want a positive duration");
        }
    }

    /** No identity provider: API keys and local tokens only, no roles, no break-glass. */
    public static IdentityConfig localOnly() {
        return new IdentityConfig(
                Optional.empty(), Set.of(), Set.of(), List.of(), Optional.empty(), DEFAULT_STEP_UP_MAX_AGE);
    }

    public IdentityConfig withOidc(OidcSettings settings) {
        return new IdentityConfig(
                Optional.of(settings), adminGroups, auditorGroups, clientAgents, breakGlassGroup, stepUpMaxAge);
    }

    /** With {@code client} as the one client people's tokens come from, unless {@code humanClients} are configured. */
    public IdentityConfig withDefaultHumanClient(String client) {
        return new IdentityConfig(
                oidc.map(settings -> settings.withDefaultHumanClient(client)),
                adminGroups,
                auditorGroups,
                clientAgents,
                breakGlassGroup,
                stepUpMaxAge);
    }

    public IdentityConfig withRoles(Set<String> admins, Set<String> auditors) {
        return new IdentityConfig(oidc, admins, auditors, clientAgents, breakGlassGroup, stepUpMaxAge);
    }

    public IdentityConfig withClientAgents(List<ClientAgent> clients) {
        return new IdentityConfig(oidc, adminGroups, auditorGroups, clients, breakGlassGroup, stepUpMaxAge);
    }

    public IdentityConfig withBreakGlassGroup(String group) {
        return new IdentityConfig(oidc, adminGroups, auditorGroups, clientAgents, Optional.of(group), stepUpMaxAge);
    }

    public IdentityConfig withStepUpMaxAge(Duration maxAge) {
        return new IdentityConfig(oidc, adminGroups, auditorGroups, clientAgents, breakGlassGroup, maxAge);
    }
}
