package io.countersign.server.http;

import io.javalin.security.RouteRole;

/**
 * Who may call a route: metadata on every route, checked in one place ({@link Authentication}).
 * A route without any of these is refused to everyone.
 */
public enum Access implements RouteRole {
    /** No authentication at all (health, metrics, the public audit log). */
    ANYONE,
    /** An authenticated agent. */
    AGENT,
    /** An authenticated human. */
    HUMAN
}
