package io.countersign.server.http;

import static java.util.Objects.requireNonNull;

import io.countersign.identity.Agent;
import io.countersign.identity.ApiTokens;
import io.countersign.identity.Human;
import io.countersign.identity.Principal;
import io.javalin.http.Context;
import io.javalin.security.RouteRole;
import java.util.Optional;
import java.util.Set;

/**
 * Checks every matched route's {@link Access} against the caller's bearer token, in one place.
 * Deny on doubt: a route with no access metadata is refused, an unreadable token is a 401.
 */
public final class Authentication {
    private static final String PRINCIPAL = "countersign.principal";

    private final ApiTokens tokens;

    public Authentication(ApiTokens tokens) {
        this.tokens = requireNonNull(tokens, "tokens is null");
    }

    /** The before-matched handler: resolves the caller and enforces the route's access. */
    public void check(Context ctx) {
        Set<RouteRole> roles = ctx.routeRoles();
        if (roles.contains(Access.ANYONE)) {
            return;
        }
        if (roles.isEmpty()) {
            throw ApiProblem.forbidden("this route is not open to anyone");
        }
        Principal principal = authenticate(ctx).orElseThrow(() -> ApiProblem.unauthorized(
                "send 'Authorization: Bearer <token>' with an agent API key or a human token"));
        boolean allowed = principal instanceof Agent ? roles.contains(Access.AGENT) : roles.contains(Access.HUMAN);
        if (!allowed) {
            throw ApiProblem.forbidden((principal instanceof Agent ? "agents" : "humans") + " may not call " + ctx.method() + " " + ctx.endpoint().path);
        }
        ctx.attribute(PRINCIPAL, principal);
    }

    private Optional<Principal> authenticate(Context ctx) {
        String header = ctx.header("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        return tokens.authenticate(header.substring(7).trim());
    }

    public static Principal principal(Context ctx) {
        Principal principal = ctx.attribute(PRINCIPAL);
        if (principal == null) {
            throw new IllegalStateException("route " + ctx.path() + " reads the caller but is open to anyone");
        }
        return principal;
    }

    public static Agent agent(Context ctx) {
        if (principal(ctx) instanceof Agent agent) {
            return agent;
        }
        throw ApiProblem.forbidden("only agents may do this");
    }

    public static Human human(Context ctx) {
        if (principal(ctx) instanceof Human human) {
            return human;
        }
        throw ApiProblem.forbidden("only humans may do this; an agent never approves");
    }

    /** The caller as the audit log names it, or empty on open routes. */
    public static Optional<String> auditName(Context ctx) {
        Principal principal = ctx.attribute(PRINCIPAL);
        return Optional.ofNullable(principal).map(Principal::auditName);
    }
}
