package io.countersign.server.identity;

import static java.util.Objects.requireNonNull;

import io.countersign.identity.Agent;
import io.countersign.identity.Human;
import io.countersign.identity.Principal;
import io.countersign.identity.Scopes;
import io.countersign.server.http.Access;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * Who called, as the bearer token proved it: the principal, how they authenticated, what an
 * agent's credential may request, when a human last signed in ({@code auth_time}, for step-up),
 * the roles they hold, for a client-credentials agent its OIDC client id, and, for a person's
 * token that someone else holds (an agent's delegated or exchanged token), why it holds no roles
 * at all: such a token names a human but never casts their vote.
 */
public record Caller(
        Principal principal,
        Method method,
        Scopes scopes,
        Optional<Instant> signedInAt,
        Set<Access> roles,
        Optional<String> clientId,
        Optional<String> withoutRolesBecause) {
    public enum Method {
        /** An agent's {@code csa_} key. */
        API_KEY,
        /** A human's {@code csh_} token of the embedded setup. */
        LOCAL_TOKEN,
        /** A token from the OIDC provider: a human's, or a client registered as an agent. */
        OIDC
    }

    public Caller {
        requireNonNull(principal, "principal is null");
        requireNonNull(method, "method is null");
        requireNonNull(scopes, "scopes is null");
        requireNonNull(signedInAt, "signedInAt is null");
        roles = Set.copyOf(requireNonNull(roles, "roles is null"));
        requireNonNull(clientId, "clientId is null");
        requireNonNull(withoutRolesBecause, "withoutRolesBecause is null");
        if (withoutRolesBecause.isPresent() && !roles.isEmpty()) {
            throw new IllegalArgumentException(principal.auditName() + " holds no roles (" + withoutRolesBecause.get()
                    + ") but was given " + roles);
        }
        if (principal instanceof Agent
                && (roles.contains(Access.HUMAN) || roles.contains(Access.ADMIN) || roles.contains(Access.AUDITOR))) {
            throw new IllegalArgumentException("agent " + principal.name() + " can't hold a human's roles " + roles);
        }
        if (principal instanceof Human && roles.contains(Access.AGENT)) {
            throw new IllegalArgumentException("human " + principal.name() + " can't hold the agent role");
        }
    }

    public Caller(
            Principal principal,
            Method method,
            Scopes scopes,
            Optional<Instant> signedInAt,
            Set<Access> roles,
            Optional<String> clientId) {
        this(principal, method, scopes, signedInAt, roles, clientId, Optional.empty());
    }

    /** A person's token held by someone else: it names them, and may do nothing, for the reason given. */
    public static Caller withoutRoles(Human human, String reason) {
        return new Caller(
                human,
                Method.OIDC,
                Scopes.UNRESTRICTED,
                Optional.empty(),
                Set.of(),
                Optional.empty(),
                Optional.of(reason));
    }
}
