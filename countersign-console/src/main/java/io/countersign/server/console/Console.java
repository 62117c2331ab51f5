package io.countersign.server.console;

import static java.util.Objects.requireNonNull;

import io.countersign.policy.Policy;
import io.countersign.server.http.CookieSessions;
import io.countersign.server.http.ErrorPage;
import io.countersign.server.identity.BearerTokens;
import io.countersign.server.identity.IdentityConfig;
import io.countersign.server.insights.Dismissals;
import io.countersign.server.insights.Insights;
import io.countersign.store.GatewayStore;
import io.countersign.tlog.note.NoteVerifier;
import io.countersign.workflow.Workflow;
import io.javalin.config.RoutesConfig;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import tools.jackson.databind.json.JsonMapper;

/**
 * The approver console under {@code /console}: sign-in, inbox, request pages, audit log,
 * policy, insights and admin (docs/console.md). Its routes carry {@code Access} like every other route;
 * {@link #sessions()} is what authenticates them (a session cookie instead of a bearer token).
 */
public final class Console {
    /** What the audit and policy pages read: the store's audit log, the log's verifier key, the active policy. */
    /** What the admin pages act on: the same services as the admin API. */
    public record AdminActions(
            io.countersign.server.identity.AgentAdmin agents,
            io.countersign.workflow.BreakerReset breakers,
            Supplier<java.util.List<io.countersign.breaker.TrippedBreaker>> tripped,
            io.countersign.outbox.Outbox outbox,
            ToolPinChanges pins) {
        public AdminActions {
            requireNonNull(pins, "pins is null");
            requireNonNull(outbox, "outbox is null");
            requireNonNull(agents, "agents is null");
            requireNonNull(breakers, "breakers is null");
            requireNonNull(tripped, "tripped is null");
        }
    }

    public record AuditorViews(
            GatewayStore store, NoteVerifier auditKey, Supplier<Policy> policy, String listenHost, JsonMapper mapper) {
        public AuditorViews {
            requireNonNull(store, "store is null");
            requireNonNull(auditKey, "auditKey is null");
            requireNonNull(policy, "policy is null");
            requireNonNull(listenHost, "listenHost is null");
            requireNonNull(mapper, "mapper is null");
        }
    }

    private final ConsoleSessions sessions;
    private final SignInRoutes signIn;
    private final DecisionRoutes decisions;
    private final AuditorRoutes auditors;
    private final HistoryRoutes history;
    private final AdminPages admin;
    private final InsightsPages insights;
    private final Views views;
    private final AtomicInteger port = new AtomicInteger();

    /**
     * @param baseUrl where the console is reached from browsers (the OIDC redirect URI is built on it);
     *     read when sign-in starts, so it may be known only once the server listens
     * @param secure whether the console is served over TLS (then the cookie is {@code Secure})
     */
    public Console(
            ConsoleConfig config,
            IdentityConfig identity,
            BearerTokens tokens,
            Workflow workflow,
            Supplier<String> baseUrl,
            boolean secure,
            Clock clock,
            AuditorViews auditorViews,
            AdminActions adminActions,
            Insights insights) {
        requireNonNull(config, "config is null");
        requireNonNull(identity, "identity is null");
        requireNonNull(auditorViews, "auditorViews is null");
        this.sessions = new ConsoleSessions(clock, secure, config.idleTimeout(), config.sessionLifetime());
        Views views = new Views();
        this.views = views;
        Optional<OidcSignIn> oidc =
                identity.oidc().map(settings -> new OidcSignIn(settings, config, tokens, baseUrl, clock));
        Optional<ProviderSessions> provider = oidc.map(signIn -> new ProviderSessions(signIn, clock));
        this.signIn = new SignInRoutes(sessions, oidc, provider, tokens, views);
        this.decisions = new DecisionRoutes(workflow, sessions, provider, views, clock);
        String host =
                switch (auditorViews.listenHost()) {
                    case "0.0.0.0", "" -> "127.0.0.1";
                    case "::" -> "[::1]";
                    default ->
                        auditorViews.listenHost().contains(":")
                                ? "[" + auditorViews.listenHost() + "]"
                                : auditorViews.listenHost();
                };
        this.auditors = new AuditorRoutes(
                auditorViews.store(),
                auditorViews.auditKey(),
                auditorViews.policy(),
                () -> "http://" + host + ":" + port.get(),
                workflow,
                auditorViews.mapper(),
                views,
                clock);
        this.history = new HistoryRoutes(auditorViews.store(), clock, views);
        this.admin = new AdminPages(requireNonNull(adminActions, "adminActions is null"), sessions, views, clock);
        this.insights = new InsightsPages(insights, new Dismissals(auditorViews.store(), clock), sessions, views);
    }

    public CookieSessions sessions() {
        return sessions;
    }

    /** The port the server listens on, once it does: the audit export reads the log through the server's own public API. */
    public void listening(int listeningPort) {
        port.set(listeningPort);
    }

    /** The console's error page, for every error under {@code /console}, Jetty's own included; shown signed out (no session is read). */
    public ErrorPage errorPage() {
        return new ErrorPage() {
            @Override
            public boolean covers(String rawPath) {
                // The back-channel logout endpoint is called by the identity provider, not a browser: problem+json.
                return (rawPath.equals("/console") || rawPath.startsWith("/console/"))
                        && !rawPath.startsWith("/console/oidc/backchannel-logout");
            }

            @Override
            public String html(int status, String message) {
                return views.render("error", new Pages.Error(null, status, message));
            }
        };
    }

    public void register(RoutesConfig routes) {
        signIn.register(routes);
        decisions.register(routes);
        auditors.register(routes);
        history.register(routes);
        admin.register(routes);
        insights.register(routes);
    }
}
