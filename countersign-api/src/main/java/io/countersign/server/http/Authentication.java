package io.countersign.server.http;

import static java.util.Objects.requireNonNull;

import io.countersign.identity.Agent;
import io.countersign.identity.Human;
import io.countersign.identity.Principal;
import io.countersign.server.identity.BearerTokens;
import io.countersign.server.identity.Caller;
import io.countersign.server.identity.TokenRejected;
import io.javalin.http.Context;
import io.javalin.router.Endpoint;
import io.javalin.security.RouteRole;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks every matched route's {@link Access} against the caller's bearer token, in one place.
 * Deny on doubt: a route with no access metadata is refused, an unreadable or invalid token is a
 * 401, a caller without one of the route's roles a 403.
 */
public final class Authentication {
    private static final String CALLER = "countersign.caller";
    private static final int RETRY_AFTER_SECONDS = 5;

    private final BearerTokens tokens;
    private final Optional<CookieSessions> sessions;

    public Authentication(BearerTokens tokens) {
        this(tokens, Optional.empty());
    }

    /** With browser sessions for the paths they cover (the console); every other path takes bearer tokens only. */
    public Authentication(BearerTokens tokens, Optional<CookieSessions> sessions) {
        this.tokens = requireNonNull(tokens, "tokens is null");
        this.sessions = requireNonNull(sessions, "sessions is null");
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
        Optional<CookieSessions> session = sessions.filter(s -> s.covers(ctx.path()));
        Caller caller;
        if (session.isPresent()) {
            Optional<Caller> signedIn = session.get().caller(ctx);
            if (signedIn.isEmpty()) {
                session.get().signInRequired(ctx);
                ctx.skipRemainingHandlers();
                return;
            }
            caller = signedIn.get();
        } else {
            caller = authenticate(ctx);
        }
        if (caller.roles().stream().noneMatch(roles::contains)) {
            throw ApiProblem.forbidden(refusal(caller, roles, ctx.method() + " " + routePath(ctx)));
        }
        ctx.attribute(CALLER, caller);
    }

    private Caller authenticate(Context ctx) {
        String header = ctx.header("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw ApiProblem.unauthorized(
                    "send 'Authorization: Bearer <token>' with an agent API key, a human token or an OIDC token");
        }
        try {
            return tokens.authenticate(header.substring(7).trim());
        } catch (TokenRejected e) {
            if (e.retryLater()) {
                ctx.header("Retry-After", String.valueOf(RETRY_AFTER_SECONDS));
                throw new ApiProblem(503, "retry-later", "Try again shortly", e.getMessage());
            }
            throw ApiProblem.unauthorized(e.getMessage());
        }
    }

    /** The matched route's path pattern ({@code /v1/actions/{id}/approve}); the before-matched handler's own endpoint is {@code *}. */
    private static String routePath(Context ctx) {
        Endpoint matched = ctx.endpoints().matchedHttpEndpoint();
        return matched != null ? matched.path : ctx.path();
    }

    private static String refusal(Caller caller, Set<RouteRole> roles, String route) {
        if (caller.withoutRolesBecause().isPresent()) {
            return route + " refused: this is " + caller.withoutRolesBecause().get();
        }
        if (caller.principal() instanceof Agent) {
            return "agents may not call " + route;
        }
        if (roles.contains(Access.AGENT)
                && !roles.contains(Access.HUMAN)
                && !roles.contains(Access.ADMIN)
                && !roles.contains(Access.AUDITOR)) {
            return "humans may not call " + route;
        }
        Set<String> needed = new TreeSet<>();
        roles.forEach(role -> needed.add(role.toString().toLowerCase(Locale.ROOT)));
        return route + " needs the " + String.join(" or ", needed) + " role, which "
                + caller.principal().name() + " does not hold";
    }

    public static Caller caller(Context ctx) {
        Caller caller = ctx.attribute(CALLER);
        if (caller == null) {
            throw new IllegalStateException("route " + ctx.path() + " reads the caller but is open to anyone");
        }
        return caller;
    }

    public static Principal principal(Context ctx) {
        return caller(ctx).principal();
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
        Caller caller = ctx.attribute(CALLER);
        return Optional.ofNullable(caller).map(c -> c.principal().auditName());
    }
}
