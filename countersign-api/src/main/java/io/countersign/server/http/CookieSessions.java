package io.countersign.server.http;

import io.countersign.server.identity.Caller;
import io.javalin.http.Context;
import java.util.Optional;

/**
 * Browser sessions for the paths a web channel owns (the console). {@link Authentication} asks it
 * instead of the bearer header for those paths, and only for those: the API never accepts a
 * cookie, so a forged cross-site request can't ride on one there.
 */
public interface CookieSessions {
    /** Whether this request path is authenticated by a session cookie rather than a bearer token. */
    boolean covers(String path);

    /**
     * The caller of the request's session, after the session's CSRF token was checked for every
     * state-changing method; empty when there is no live session (the caller is sent to sign in).
     *
     * @throws ApiProblem 403 when a state-changing request lacks the session's CSRF token
     */
    Optional<Caller> caller(Context ctx);

    /** Answers a request that has no live session: a redirect to the sign-in page, or a 401. */
    void signInRequired(Context ctx);
}
