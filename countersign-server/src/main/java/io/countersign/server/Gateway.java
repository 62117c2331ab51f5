package io.countersign.server;

import static java.util.Objects.requireNonNull;

import io.countersign.identity.Agent;
import io.countersign.identity.ApiTokens;
import io.countersign.policy.PolicyEngine;
import io.countersign.proxy.http.HttpProxy;
import io.countersign.proxy.postgres.PostgresProxy;
import io.countersign.proxy.ssh.SshGateway;
import io.countersign.proxy.ssh.SshGatewayConfig;
import io.countersign.server.actions.ActionRoutes;
import io.countersign.server.actions.LongPolls;
import io.countersign.server.actions.RequestJson;
import io.countersign.server.audit.AuditModule;
import io.countersign.server.breakers.BreakerRoutes;
import io.countersign.server.channels.Channel;
import io.countersign.server.channels.Channels;
import io.countersign.server.channels.OutboxRoutes;
import io.countersign.server.channels.OutboxWorker;
import io.countersign.server.config.ServerConfig;
import io.countersign.server.console.Console;
import io.countersign.server.console.ToolPinChanges;
import io.countersign.server.evidence.EvidenceRoutes;
import io.countersign.server.hooks.ClaudeCodeRoutes;
import io.countersign.server.http.ApiServer;
import io.countersign.server.http.Authentication;
import io.countersign.server.http.RouteInfo;
import io.countersign.server.identity.AdminRoutes;
import io.countersign.server.identity.AgentAdmin;
import io.countersign.server.identity.BearerTokens;
import io.countersign.server.identity.Delegations;
import io.countersign.server.identity.HumanAdmin;
import io.countersign.server.identity.HumanAdminRoutes;
import io.countersign.server.identity.HumanDirectory;
import io.countersign.server.identity.IdentityConfig;
import io.countersign.server.identity.LoggingNotifier;
import io.countersign.server.identity.LookAlikes;
import io.countersign.server.identity.OidcVerifier;
import io.countersign.server.identity.TokenRejected;
import io.countersign.server.insights.Dismissals;
import io.countersign.server.insights.Insights;
import io.countersign.server.insights.InsightsChangeReview;
import io.countersign.server.insights.InsightsRoutes;
import io.countersign.server.mcp.McpModule;
import io.countersign.server.metrics.GatewayMetrics;
import io.countersign.server.policychange.PolicyChangeGate;
import io.countersign.server.policychange.PolicyChangeRoutes;
import io.countersign.server.policychange.PolicyChanges;
import io.countersign.server.proxy.HttpProxyRoutes;
import io.countersign.server.proxy.RecordingRoutes;
import io.countersign.server.slack.SlackModule;
import io.countersign.server.teams.TeamsModule;
import io.countersign.server.webhooks.WebhookChannel;
import io.countersign.store.GatewayStore;
import io.countersign.workflow.BreakerReset;
import io.countersign.workflow.GrantTokens;
import io.countersign.workflow.KillSwitch;
import io.countersign.workflow.RequestListener;
import io.countersign.workflow.VotingRule;
import io.countersign.workflow.Workflow;
import io.countersign.workflow.WorkflowSettings;
import io.javalin.config.RoutesConfig;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.json.JsonMapper;

/** The composition root: builds every part of a running gateway from its config, and stops them in reverse order. */
public final class Gateway implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);
    private static final long EXPIRY_SWEEP_MILLIS = 250;
    private static final long ESCALATION_SWEEP_MILLIS = 1_000;

    private final List<AutoCloseable> parts;
    private final ApiServer server;
    private final String baseUrl;
    private final Optional<McpModule> mcp;
    private final BearerTokens bearerTokens;
    private final List<PostgresProxy> postgresProxies;

    private Gateway(
            List<AutoCloseable> parts,
            ApiServer server,
            String baseUrl,
            Optional<McpModule> mcp,
            BearerTokens bearerTokens,
            List<PostgresProxy> postgresProxies) {
        this.parts = List.copyOf(parts);
        this.postgresProxies = List.copyOf(postgresProxies);
        this.server = server;
        this.baseUrl = baseUrl;
        this.mcp = mcp;
        this.bearerTokens = bearerTokens;
    }

    public static Gateway start(ServerConfig config, Clock clock) {
        return start(config, clock, name -> Optional.ofNullable(System.getenv(name)));
    }

    /** {@code environment} reads the variables the config names for secrets (the proxies' upstream passwords). */
    public static Gateway start(ServerConfig config, Clock clock, Function<String, Optional<String>> environment) {
        requireNonNull(config, "config is null");
        requireNonNull(environment, "environment is null");
        requireNonNull(clock, "clock is null");
        DataFolder data = new DataFolder(config.dataDirectory());
        List<AutoCloseable> parts = new ArrayList<>();
        try {
            GatewayStore store = Stores.open(config.database(), data.create());
            parts.add(store);
            AuditedPolicy policy = AuditedPolicy.open(
                    config.policyFile(), config.policyChanges().reloadFromDisk(), store, clock);
            parts.add(policy);
            // Strict: a key sent twice is refused, never "the last one wins" (issue 15).
            JsonMapper mapper = JsonMapper.builder()
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .build();
            UnauthenticatedEntryAlarm alarm = new UnauthenticatedEntryAlarm();
            AuditModule audit = AuditModule.start(store, data.directory(), config.audit(), clock, mapper, alarm::raise);
            parts.add(audit);
            LongPolls longPolls = new LongPolls();
            // With PostgreSQL, decisions committed by other nodes wake this node's long-polls too.
            store.listenForOtherNodes(longPolls);
            // Unless configured otherwise, the tokens people hold are the console's client's: only those vote.
            IdentityConfig identity =
                    config.identity().withDefaultHumanClient(config.console().clientId());
            GatewayMetrics metrics =
                    new GatewayMetrics(() -> store.findPending().size());
            AtomicReference<String> baseUrl = new AtomicReference<>();
            HttpClient channelHttp = HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(5))
                    .build();
            List<Channel> channelList = new ArrayList<>();
            config.notifications()
                    .webhooks()
                    .forEach(webhook ->
                            channelList.add(new WebhookChannel(webhook, channelHttp, mapper, clock, baseUrl::get)));
            Optional<TeamsModule> teams = config.teams().enabled()
                    ? Optional.of(TeamsModule.create(config.teams(), baseUrl::get, clock, mapper))
                    : Optional.empty();
            teams.ifPresent(parts::add);
            teams.ifPresent(module -> channelList.addAll(module.channels()));
            // Whom an onBehalfOf resolves to at submission, and whom Slack's direct messages go to: the humans with a
            // live credential.
            HumanDirectory humans = new HumanDirectory(store, clock);
            Optional<SlackModule> slack =
                    config.slack().map(settings -> SlackModule.create(settings, baseUrl::get, clock, mapper, humans));
            slack.ifPresent(parts::add);
            slack.ifPresent(module -> channelList.addAll(module.channels()));
            Channels channels = new Channels(channelList);
            OutboxWorker outboxWorker = OutboxWorker.create(
                    store.outbox(),
                    store,
                    channels,
                    clock,
                    config.notifications().backoff(),
                    config.notifications().pollInterval(),
                    mapper,
                    metrics.registry());
            parts.add(outboxWorker);
            RequestListener changes = request -> {
                longPolls.changed(request);
                outboxWorker.changed(request);
            };
            requireNoClientAgentNamed(PolicyChanges.SYSTEM_AGENT_NAME, identity);
            GrantTokens grantTokens = new GrantTokens(data.secretKey("grant.key"));
            LoggingNotifier notifier = new LoggingNotifier();
            AdminNotices adminNotices = new AdminNotices(store, channels, notifier, clock);
            alarm.wire(adminNotices);
            // One workflow per policy view: the API's sees the policy; the MCP gateway's adds the tools' annotations
            // and pins.
            Function<PolicyEngine, Workflow> workflows = deciding -> new Workflow(
                    deciding,
                    store,
                    clock,
                    grantTokens,
                    new VotingRule(identity.breakGlassGroup(), identity.stepUpMaxAge()),
                    changes,
                    new WorkflowSettings(config.grantTtl()),
                    store,
                    notifier,
                    channels,
                    humans);
            // Policy changes need the approvers from the config, whatever the policy file says.
            Workflow workflow = workflows.apply(new PolicyChangeGate(policy, config.policyChanges()));
            ApiTokens apiTokens = new ApiTokens(store, clock);
            BearerTokens bearerTokens = new BearerTokens(
                    apiTokens,
                    identity.oidc().map(settings -> new OidcVerifier(settings, clock)),
                    identity,
                    new LookAlikes(humans, adminNotices));
            AgentAdmin agentAdmin = new AgentAdmin(
                    store,
                    store,
                    store,
                    apiTokens,
                    new KillSwitch(store, store, clock, longPolls),
                    identity.clientAgents(),
                    clock);
            metrics.trippedBreakers(() -> store.trippedBreakers().size());
            RequestJson json = new RequestJson(mapper, workflow, baseUrl::get);
            Optional<McpModule> mcp = config.mcp().enabled()
                    ? Optional.of(McpModule.start(
                            config.mcp(),
                            policy,
                            workflows,
                            store,
                            longPolls,
                            clock,
                            mapper,
                            config.maxBodyBytes(),
                            data.directory(),
                            baseUrl::get))
                    : Optional.empty();
            mcp.ifPresent(parts::add);
            Insights insights =
                    new Insights(store, clock, PolicyChanges::isSystemRequest, () -> Optional.of(policy.current()));
            Console console = new Console(
                    config.console(),
                    identity,
                    bearerTokens,
                    workflow,
                    baseUrl::get,
                    config.servedOverTls(),
                    clock,
                    new Console.AuditorViews(store, audit.verifierKey(), policy::current, config.host(), mapper),
                    new Console.AdminActions(
                            agentAdmin,
                            new BreakerReset(store, clock),
                            store::trippedBreakers,
                            store.outbox(),
                            mcp.<ToolPinChanges>map(module -> new McpPinChanges(module.pins()))
                                    .orElse(ToolPinChanges.NONE)),
                    insights);
            EnforcingProxies proxies = new EnforcingProxies(
                    config, workflows, policy, longPolls, clock, baseUrl::get, bearerTokens, environment, parts);
            Optional<HttpProxy> httpProxy = proxies.startHttp(workflow);
            ActionRoutes actionRoutes =
                    new ActionRoutes(workflow, longPolls, json, mapper, metrics, new Delegations(bearerTokens));
            ApiServer server = new ApiServer(
                    config.host(),
                    config.port(),
                    config.maxBodyBytes(),
                    mapper,
                    new Authentication(bearerTokens, Optional.of(console.sessions())),
                    List.of(
                            actionRoutes::register,
                            new AdminRoutes(agentAdmin, mapper, clock)::register,
                            new HumanAdminRoutes(new HumanAdmin(store, store, apiTokens, clock), mapper, clock)
                                    ::register,
                            new OutboxRoutes(store.outbox(), outboxWorker, mapper, clock)::register,
                            new BreakerRoutes(store, new BreakerReset(store, clock), mapper)::register,
                            new SystemRoutes(
                                            metrics,
                                            audit::scrapeMetrics,
                                            store::reachable,
                                            OpenApiDocument.json(mapper))::register,
                            audit.routes(),
                            mcp.<Consumer<RoutesConfig>>map(McpModule::routes).orElse(routes -> {}),
                            console::register,
                            ClaudeCodeRoutes.create(workflow, longPolls, clock, mapper),
                            teams.<Consumer<RoutesConfig>>map(module -> module.routes(workflow, humans))
                                    .orElse(routes -> {}),
                            slack.<Consumer<RoutesConfig>>map(module -> module.routes(workflow, humans, store.outbox()))
                                    .orElse(routes -> {}),
                            new EvidenceRoutes(
                                    store,
                                    audit.verifierKey(),
                                    () -> audit.checkpointer().checkpointNow(),
                                    clock,
                                    mapper)::register,
                            new InsightsRoutes(insights, new Dismissals(store, clock), mapper)::register,
                            new PolicyChangeRoutes(
                                    new PolicyChanges(
                                            config.policyChanges(),
                                            workflow,
                                            policy,
                                            store,
                                            clock,
                                            new InsightsChangeReview(insights, mapper)),
                                    mapper)::register,
                            httpProxy
                                    .<Consumer<RoutesConfig>>map(proxy -> new HttpProxyRoutes(proxy, mapper)::register)
                                    .orElse(routes -> {}),
                            new RecordingRoutes(
                                            workflow,
                                            config.dataDirectory().resolve(SshGatewayConfig.RECORDINGS),
                                            mapper)::register),
                    config.tls(),
                    Stream.concat(Stream.of(console.errorPage()), mcp.map(McpModule::errorPage).stream())
                            .toList());
            parts.add(server);
            parts.add(
                    actionRoutes::releaseLongPolls); // closed first: held agents get an answer before the server stops
            server.start();
            String listeningAt = config.baseUrlFor(server.port());
            baseUrl.set(listeningAt);
            console.listening(server.port());
            outboxWorker.start();
            ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(
                    Thread.ofPlatform().daemon().name("expiry-sweeper").factory());
            sweeper.scheduleWithFixedDelay(() -> sweepExpired(workflow), 0, EXPIRY_SWEEP_MILLIS, TimeUnit.MILLISECONDS);
            // Escalation is due in minutes, not milliseconds: a sweep a second reads the pending requests less often.
            sweeper.scheduleWithFixedDelay(
                    () -> sweepEscalations(workflow), 0, ESCALATION_SWEEP_MILLIS, TimeUnit.MILLISECONDS);
            parts.add(sweeper::shutdownNow);
            List<PostgresProxy> postgresProxies = proxies.startPostgres();
            proxies.startSsh(store);
            return new Gateway(parts, server, listeningAt, mcp, bearerTokens, postgresProxies);
        } catch (RuntimeException e) {
            closeAll(parts);
            throw e;
        }
    }

    /** The gateway's own system agent must not be a name an OIDC client can authenticate as. */
    private static void requireNoClientAgentNamed(String name, IdentityConfig identity) {
        if (identity.clientAgents().stream()
                .anyMatch(client -> client.agent().name().equalsIgnoreCase(name))) {
            throw new IllegalArgumentException(
                    "identity.agents: the agent name '" + name + "' is reserved for the gateway's policy changes");
        }
    }

    /** Expiry runs on its own thread; one failed sweep (a busy database) must not stop the next. */
    private static void sweepExpired(Workflow workflow) {
        try {
            int expired = workflow.expireDue();
            if (expired > 0) {
                LOG.info("expired {} pending request(s)", expired);
            }
        } catch (RuntimeException e) {
            LOG.warn("expiry sweep failed; retrying in {} ms", EXPIRY_SWEEP_MILLIS, e);
        }
    }

    /** Escalation runs like expiry: on the sweeper's thread, a failed sweep (a busy database) retried by the next. */
    private static void sweepEscalations(Workflow workflow) {
        try {
            int escalated = workflow.escalateDue();
            if (escalated > 0) {
                LOG.info("escalated {} pending request(s)", escalated);
            }
        } catch (RuntimeException e) {
            LOG.warn("escalation sweep failed; retrying in {} ms", ESCALATION_SWEEP_MILLIS, e);
        }
    }

    public int port() {
        return server.port();
    }

    public String baseUrl() {
        return baseUrl;
    }

    /** The MCP gateway, when the config has {@code mcp.servers}. */
    public Optional<McpModule> mcp() {
        return mcp;
    }

    /** The SSH gateways listening, in the config's order. */
    public List<SshGateway> sshGateways() {
        return parts.stream()
                .filter(SshGateway.class::isInstance)
                .map(SshGateway.class::cast)
                .toList();
    }

    /** The PostgreSQL proxies listening, in the config's order. */
    public List<PostgresProxy> postgresProxies() {
        return postgresProxies;
    }

    /** The agent an API key (or client-credentials token) belongs to, for transports without HTTP (MCP over stdio). */
    public Agent authenticateAgent(String token) throws TokenRejected {
        if (bearerTokens.authenticate(token).principal() instanceof Agent agent) {
            return agent;
        }
        throw new TokenRejected("the token belongs to a human; only an agent's API key may call tools");
    }

    /** Every route the server registered, with who may call it. */
    public List<RouteInfo> routes() {
        return server.routes();
    }

    @Override
    public void close() {
        closeAll(parts);
    }

    private static void closeAll(List<AutoCloseable> parts) {
        for (AutoCloseable part : parts.reversed()) {
            try {
                part.close();
            } catch (Exception e) {
                LOG.warn("stopping {} failed", part, e);
            }
        }
    }
}
