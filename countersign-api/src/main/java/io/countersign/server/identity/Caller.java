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
 * the roles they hold, and for a client-credentials agent its OIDC client id.
 */
public record Caller(Principal principal, Method method, Scopes scopes, Optional<Instant> signedInAt, Set<Access> roles,
        Optional<String> clientId) {
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
        if (principal instanceof Agent && (roles.contains(Access.HUMAN) || roles.contains(Access.ADMIN) || roles.contains(Access.AUDITOR))) {
            throw new IllegalArgumentException("agent " + principal.name() + " can't hold a human's roles " + roles);
        }
        if (principal instanceof Human && roles.contains(Access.AGENT)) {
            throw new IllegalArgumentException("human " + principal.name() + " can't hold the agent role");
        }
    }
}
