package io.countersign.server.console;

import static java.util.Objects.requireNonNull;

import io.countersign.identity.Human;
import io.countersign.server.http.Access;
import io.countersign.server.http.ApiProblem;
import io.countersign.server.identity.BearerTokens;
import io.countersign.server.identity.Caller;
import io.countersign.server.identity.TokenRejected;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signing in and out of the console, and its static assets. With an identity provider configured,
 * sign-in goes through it ({@link OidcSignIn}); without one (the embedded setup), a person pastes
 * their local human token into a form. Agents can't sign in.
 */
final class SignInRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(SignInRoutes.class);
    private static final String FORM_COOKIE = "countersign_signin";
    private static final String STATE_COOKIE = "countersign_oidc";
    private static final String HTMX = "/META-INF/resources/webjars/htmx.org/2.0.4/dist/htmx.min.js";

    private final ConsoleSessions sessions;
    private final Optional<OidcSignIn> oidc;
    private final Optional<ProviderSessions> provider;
    private final BearerTokens tokens;
    private final Views views;
    private final byte[] htmx;
    private final byte[] css;
    private final byte[] script;
    private final byte[] favicon;

    SignInRoutes(
            ConsoleSessions sessions,
            Optional<OidcSignIn> oidc,
            Optional<ProviderSessions> provider,
            BearerTokens tokens,
            Views views) {
        this.sessions = requireNonNull(sessions, "sessions is null");
        this.oidc = requireNonNull(oidc, "oidc is null");
        this.provider = requireNonNull(provider, "provider is null");
        this.tokens = requireNonNull(tokens, "tokens is null");
        this.views = requireNonNull(views, "views is null");
        this.htmx = resource(HTMX);
        this.css = resource("/console/console.css");
        this.script = resource("/console/console.js");
        this.favicon = resource("/console/favicon.svg");
    }

    void register(RoutesConfig routes) {
        routes.get("/console/sign-in", this::signInPage, Access.ANYONE);
        routes.post("/console/sign-in", this::signInWithToken, Access.ANYONE);
        routes.get("/console/oidc/start", this::startOidc, Access.ANYONE);
        routes.get("/console/oidc/callback", this::oidcCallback, Access.ANYONE);
        routes.post("/console/sign-out", this::signOut, Access.HUMAN);
        // Called by the identity provider, not a browser: the logout token is its own proof (checked below).
        routes.post("/console/oidc/backchannel-logout", this::backChannelLogout, Access.ANYONE);
        routes.get("/console/assets/htmx.min.js", ctx -> asset(ctx, htmx, "text/javascript"), Access.ANYONE);
        routes.get("/console/assets/console.css", ctx -> asset(ctx, css, "text/css"), Access.ANYONE);
        routes.get("/console/assets/console.js", ctx -> asset(ctx, script, "text/javascript"), Access.ANYONE);
        routes.get("/console/assets/favicon.svg", ctx -> asset(ctx, favicon, "image/svg+xml"), Access.ANYONE);
    }

    private void signInPage(Context ctx) {
        showSignIn(ctx, 200, null);
    }

    private void showSignIn(Context ctx, int status, @Nullable String error) {
        // Login CSRF: the token form carries a value that must match a cookie only this browser got (double submit).
        String formToken = ConsoleSessions.randomToken();
        sessions.setCookie(ctx, FORM_COOKIE, formToken, 600);
        views.page(
                ctx,
                status,
                "signin",
                new Pages.SignIn(
                        safeNext(ctx.queryParam("next")),
                        oidc.map(OidcSignIn::issuer).orElse(null),
                        oidc.isEmpty(),
                        formToken,
                        error));
    }

    private void signInWithToken(Context ctx) {
        String expected = ctx.cookie(FORM_COOKIE);
        String sent = ctx.formParam("csrf");
        if (expected == null || sent == null || !ConsoleSessions.constantTimeEquals(expected, sent)) {
            showSignIn(ctx, 403, "The sign-in form expired or was not sent from this browser; try again.");
            return;
        }
        if (oidc.isPresent()) {
            showSignIn(ctx, 403, "This gateway signs people in through its identity provider.");
            return;
        }
        String token = Optional.ofNullable(ctx.formParam("token")).orElse("").strip();
        try {
            Caller caller = tokens.authenticate(token);
            if (!(caller.principal() instanceof Human)) {
                showSignIn(ctx, 403, "That is an agent's key; agents can't use the console.");
                return;
            }
            sessions.start(ctx, caller, Optional.empty());
            sessions.setCookie(ctx, FORM_COOKIE, "", 0);
            ctx.redirect(safeNext(ctx.formParam("next")), HttpStatus.SEE_OTHER);
        } catch (TokenRejected e) {
            showSignIn(ctx, 401, "That token was not accepted: " + e.getMessage());
        }
    }

    private void startOidc(Context ctx) {
        if (oidc.isEmpty()) {
            showSignIn(ctx, 404, "This gateway has no identity provider configured.");
            return;
        }
        try {
            OidcSignIn.Flow flow =
                    oidc.get().start(safeNext(ctx.queryParam("next")), "1".equals(ctx.queryParam("stepUp")));
            URI target = oidc.get().authorizationUri(flow);
            sessions.setCookie(ctx, STATE_COOKIE, flow.state().getValue(), 600);
            ctx.redirect(target.toString(), HttpStatus.SEE_OTHER);
        } catch (OidcSignIn.SignInFailed e) {
            showSignIn(ctx, 502, java.util.Objects.requireNonNullElse(e.getMessage(), "no detail"));
        }
    }

    private void oidcCallback(Context ctx) {
        if (oidc.isEmpty()) {
            showSignIn(ctx, 404, "This gateway has no identity provider configured.");
            return;
        }
        try {
            OidcSignIn.Result result = oidc.get().finish(ctx.queryString(), ctx.cookie(STATE_COOKIE));
            sessions.setCookie(ctx, STATE_COOKIE, "", 0);
            sessions.start(ctx, result.caller(), Optional.of(result.signIn()));
            ctx.redirect(result.next(), HttpStatus.SEE_OTHER);
        } catch (OidcSignIn.SignInFailed e) {
            showSignIn(ctx, 401, "Sign-in failed: " + e.getMessage());
        }
    }

    /** Ends the console session, and the provider's too when it offers RP-initiated logout (else the next sign-in would be silent). */
    private void signOut(Context ctx) {
        Optional<URI> atProvider = sessions.end(ctx)
                .flatMap(ConsoleSession::provider)
                .flatMap(signIn -> provider.flatMap(
                        p -> p.logoutUri(signIn, oidc.orElseThrow().afterLogoutUri())));
        ctx.redirect(atProvider.map(URI::toString).orElse("/console/sign-in"), HttpStatus.SEE_OTHER);
    }

    /** OpenID Connect Back-Channel Logout: the provider says a sign-in ended; every session it names ends now. */
    private void backChannelLogout(Context ctx) {
        ctx.header("Cache-Control", "no-store");
        if (provider.isEmpty()) {
            throw ApiProblem.notFound("this gateway has no identity provider configured");
        }
        String token = ctx.formParam("logout_token");
        if (token == null || token.isBlank()) {
            throw ApiProblem.badRequest("send the logout token in the form field logout_token");
        }
        try {
            ProviderSessions.LoggedOut loggedOut = provider.get().verifyLogoutToken(token);
            int ended = sessions.endProviderSessions(loggedOut.subject(), loggedOut.sessionId());
            LOG.info(
                    "back-channel logout for subject {} session {}: {} console session(s) ended",
                    loggedOut.subject().orElse("-"),
                    loggedOut.sessionId().orElse("-"),
                    ended);
            ctx.status(200);
        } catch (OidcSignIn.SignInFailed e) {
            throw ApiProblem.badRequest(java.util.Objects.requireNonNullElse(e.getMessage(), "no detail"));
        }
    }

    /** Only console paths of this server: no open redirect through {@code next}. */
    static String safeNext(@Nullable String next) {
        if (next != null
                && next.startsWith("/console/")
                && !next.startsWith("//")
                && !next.contains("\\")
                && !next.contains("..")
                && next.chars().noneMatch(c -> c < 0x20 || c == 0x7f)) {
            return next;
        }
        return "/console/inbox";
    }

    private static void asset(Context ctx, byte[] body, String type) {
        ctx.contentType(type);
        ctx.header("Cache-Control", "public, max-age=3600");
        ctx.result(body);
    }

    private static byte[] resource(String path) {
        try (InputStream in = SignInRoutes.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException(
                        "console asset " + path + " is missing from the classpath; the build is broken");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
