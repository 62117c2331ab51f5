package io.countersign.server.console;

import static java.util.Objects.requireNonNull;

import io.countersign.server.http.ApiProblem;
import io.countersign.server.http.CookieSessions;
import io.countersign.server.identity.Caller;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Server-side console sessions, in memory: a restart signs everyone out, and each gateway node of a
 * cluster has its own (sticky sessions needed there). The cookie carries only a random id (256
 * bits); it is HttpOnly, SameSite=Lax, path /console, and Secure when the console is served over
 * TLS. Every state-changing request must carry the session's CSRF token (synchronizer token) in
 * the {@code csrf} form field or the {@code X-CSRF-Token} header, compared in constant time.
 * Sessions end after {@link ConsoleConfig#idleTimeout()} without a person's action (the inbox's
 * background polling, marked {@value #POLL_HEADER}, doesn't count) or
 * {@link ConsoleConfig#sessionLifetime()} after sign-in, whatever happens in between. A sign-in at
 * the provider is asked again (refresh) before a vote once {@link #RECHECK_AFTER} has passed since
 * it was last confirmed, and a back-channel logout ends it at once.
 */
public final class ConsoleSessions implements CookieSessions {
    static final String COOKIE = "countersign_session";
    static final String PREFIX = "/console";
    /** Sent by the inbox's polling; such a request shows the page is open, not that a person is there. */
    static final String POLL_HEADER = "X-Countersign-Poll";

    static final Duration RECHECK_AFTER = Duration.ofMinutes(5);
    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS");
    private static final SecureRandom RANDOM = new SecureRandom();

    private static final String ATTRIBUTE = "countersign.console.session";

    private final Map<String, Entry> sessions = new ConcurrentHashMap<>();
    private final Map<String, String> flashes = new ConcurrentHashMap<>();
    private final Clock clock;
    private final boolean secure;
    private final Duration idle;
    private final Duration lifetime;

    /** A session, when a person last acted in it, and when the provider last confirmed its sign-in. */
    private record Entry(ConsoleSession session, Instant lastSeen, Instant confirmedAt) {}

    public ConsoleSessions(Clock clock, boolean secure, Duration idle, Duration lifetime) {
        this.clock = requireNonNull(clock, "clock is null");
        this.secure = secure;
        this.idle = requireNonNull(idle, "idle is null");
        this.lifetime = requireNonNull(lifetime, "lifetime is null");
    }

    @Override
    public boolean covers(String path) {
        return path.equals(PREFIX) || path.startsWith(PREFIX + "/");
    }

    @Override
    public Optional<Caller> caller(Context ctx) {
        Optional<ConsoleSession> session = session(ctx);
        if (session.isPresent() && !SAFE_METHODS.contains(ctx.method().name())) {
            String sent = Optional.ofNullable(ctx.header("X-CSRF-Token")).orElseGet(() -> ctx.formParam("csrf"));
            if (sent == null || !constantTimeEquals(sent, session.get().csrfToken())) {
                throw ApiProblem.forbidden(
                        "this form is missing its CSRF token or carries a stale one; reload the page and try again");
            }
        }
        session.ifPresent(live -> ctx.attribute(ATTRIBUTE, live));
        return session.map(ConsoleSession::caller);
    }

    /** The session {@link #caller} found for this request; only on routes that need a signed-in human. */
    static ConsoleSession current(Context ctx) {
        ConsoleSession session = ctx.attribute(ATTRIBUTE);
        if (session == null) {
            throw new IllegalStateException("console route " + ctx.path() + " reads the session but is open to anyone");
        }
        return session;
    }

    /** A one-time message for the session's next page (post, redirect, get). */
    void flash(ConsoleSession session, String message) {
        flashes.put(session.id(), message);
    }

    String takeFlash(ConsoleSession session) {
        return flashes.remove(session.id());
    }

    @Override
    public void signInRequired(Context ctx) {
        if (SAFE_METHODS.contains(ctx.method().name()) && ctx.header("HX-Request") == null) {
            String next = ctx.path() + (ctx.queryString() == null ? "" : "?" + ctx.queryString());
            ctx.redirect(
                    PREFIX + "/sign-in?next=" + URLEncoder.encode(next, StandardCharsets.UTF_8), HttpStatus.SEE_OTHER);
        } else {
            throw ApiProblem.unauthorized("your console session has ended; sign in again");
        }
    }

    /** The live session of this request, if any; a person's request (not the inbox's polling) keeps it alive. */
    Optional<ConsoleSession> session(Context ctx) {
        String id = ctx.cookie(COOKIE);
        if (id == null) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        Entry entry = sessions.get(id);
        if (entry == null) {
            return Optional.empty();
        }
        if (expired(entry, now)) {
            sessions.remove(id);
            return Optional.empty();
        }
        if (ctx.header(POLL_HEADER) == null) {
            sessions.computeIfPresent(id, (key, live) -> new Entry(live.session(), now, live.confirmedAt()));
        }
        return Optional.of(entry.session());
    }

    /** Whether the provider should confirm this session's sign-in before it votes. */
    boolean confirmationDue(ConsoleSession session) {
        Entry entry = sessions.get(session.id());
        return session.provider().isPresent()
                && (entry == null
                        || !clock.instant().isBefore(entry.confirmedAt().plus(RECHECK_AFTER)));
    }

    /** The provider confirmed the sign-in again; the session now carries what it answered. */
    void confirmed(Context ctx, ConsoleSession updated) {
        Instant now = clock.instant();
        sessions.computeIfPresent(updated.id(), (key, live) -> new Entry(updated, live.lastSeen(), now));
        ctx.attribute(ATTRIBUTE, updated);
    }

    /** Ends a session from the server side (the provider said the sign-in is over). */
    void revoke(ConsoleSession session) {
        sessions.remove(session.id());
        flashes.remove(session.id());
    }

    /** Ends every session a back-channel logout points at; how many it ended. */
    int endProviderSessions(Optional<String> subject, Optional<String> sessionId) {
        int[] ended = {0};
        sessions.values().removeIf(entry -> {
            boolean matches = entry.session()
                    .provider()
                    .filter(signIn -> signIn.endedBy(subject, sessionId))
                    .isPresent();
            if (matches) {
                ended[0]++;
            }
            return matches;
        });
        flashes.keySet().retainAll(sessions.keySet());
        return ended[0];
    }

    private boolean expired(Entry entry, Instant now) {
        return now.isAfter(entry.lastSeen().plus(idle))
                || now.isAfter(entry.session().createdAt().plus(lifetime));
    }

    /** Starts a session for a caller who just proved who they are; a new id every sign-in (no fixation). */
    ConsoleSession start(Context ctx, Caller caller, Optional<ProviderSignIn> provider) {
        session(ctx).ifPresent(old -> sessions.remove(old.id()));
        sweep();
        ConsoleSession session = new ConsoleSession(randomToken(), caller, randomToken(), clock.instant(), provider);
        sessions.put(session.id(), new Entry(session, session.createdAt(), session.createdAt()));
        setCookie(ctx, COOKIE, session.id(), -1);
        return session;
    }

    /** Signs this browser out; the session it ended, if it had one. */
    Optional<ConsoleSession> end(Context ctx) {
        Optional<ConsoleSession> ended = session(ctx);
        ended.ifPresent(this::revoke);
        setCookie(ctx, COOKIE, "", 0);
        return ended;
    }

    /** A short-lived cookie for the steps before a session exists (the sign-in form, the OIDC redirect). */
    void setCookie(Context ctx, String name, String value, int maxAgeSeconds) {
        StringBuilder cookie = new StringBuilder(name)
                .append('=')
                .append(value)
                .append("; Path=")
                .append(PREFIX)
                .append("; HttpOnly; SameSite=Lax");
        if (maxAgeSeconds >= 0) {
            cookie.append("; Max-Age=").append(maxAgeSeconds);
        }
        if (secure) {
            cookie.append("; Secure");
        }
        ctx.res().addHeader("Set-Cookie", cookie.toString());
    }

    private void sweep() {
        Instant now = clock.instant();
        sessions.values().removeIf(e -> expired(e, now));
        flashes.keySet().retainAll(sessions.keySet());
    }

    static String randomToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static boolean constantTimeEquals(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
