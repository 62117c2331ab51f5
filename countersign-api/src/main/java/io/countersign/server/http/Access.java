package io.countersign.server.http;

import io.javalin.security.RouteRole;

/**
 * Who may call a route: metadata on every route, checked in one place ({@link Authentication}).
 * A route without any of these is refused to everyone. A caller holds a set of these (see
 * {@code BearerTokens#rolesOf}); a route is allowed when the sets meet.
 */
public enum Access implements RouteRole {
    /** No authentication at all (health, metrics, the public audit log). */
    ANYONE,
    /** An authenticated agent. */
    AGENT,
    /** An authenticated human. */
    HUMAN,
    /** A human in one of the configured admin groups: agents, settings. */
    ADMIN,
    /** A human in one of the configured auditor groups: the audit log and evidence. */
    AUDITOR
}
