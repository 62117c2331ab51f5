package io.countersign.server;

import static java.util.Objects.requireNonNull;

import io.countersign.policy.PolicyEngine;
import io.countersign.proxy.Enforcement;
import io.countersign.proxy.http.HttpProxy;
import io.countersign.proxy.postgres.PostgresProxy;
import io.countersign.proxy.postgres.PostgresProxyConfig;
import io.countersign.proxy.postgres.UnparsedStatementPolicy;
import io.countersign.proxy.ssh.SessionActionsPolicy;
import io.countersign.proxy.ssh.SshGateway;
import io.countersign.proxy.ssh.SshGatewayConfig;
import io.countersign.server.actions.LongPolls;
import io.countersign.server.config.ServerConfig;
import io.countersign.server.identity.AgentSshKeys;
import io.countersign.server.identity.BearerTokens;
import io.countersign.server.identity.ProxyAgents;
import io.countersign.store.GatewayStore;
import io.countersign.workflow.Workflow;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The enforcing proxies' listeners ({@code proxies.postgres}, {@code proxies.http},
 * {@code proxies.ssh}), started by the composition root, each protocol on an enforcement seam of
 * its own. Every part started is added to the gateway's parts, so it is closed in reverse order.
 */
final class EnforcingProxies {
    private final ServerConfig config;
    private final Function<PolicyEngine, Workflow> workflows;
    private final PolicyEngine policy;
    private final LongPolls longPolls;
    private final Clock clock;
    private final Supplier<String> baseUrl;
    private final BearerTokens bearerTokens;
    private final Function<String, Optional<String>> environment;
    private final List<AutoCloseable> parts;

    EnforcingProxies(
            ServerConfig config,
            Function<PolicyEngine, Workflow> workflows,
            PolicyEngine policy,
            LongPolls longPolls,
            Clock clock,
            Supplier<String> baseUrl,
            BearerTokens bearerTokens,
            Function<String, Optional<String>> environment,
            List<AutoCloseable> parts) {
        this.config = requireNonNull(config, "config is null");
        this.workflows = requireNonNull(workflows, "workflows is null");
        this.policy = requireNonNull(policy, "policy is null");
        this.longPolls = requireNonNull(longPolls, "longPolls is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.baseUrl = requireNonNull(baseUrl, "baseUrl is null");
        this.bearerTokens = requireNonNull(bearerTokens, "bearerTokens is null");
        this.environment = requireNonNull(environment, "environment is null");
        this.parts = requireNonNull(parts, "parts is null");
    }

    /**
     * The {@code proxies.postgres} listeners, on one enforcement seam whose workflow decides SQL the
     * parser can't read as each listener's {@code unparsed} says; stopped before the seam and the store.
     */
    List<PostgresProxy> startPostgres() {
        if (config.postgresProxies().isEmpty()) {
            return List.of();
        }
        Enforcement enforcement = new Enforcement(
                workflows.apply(new UnparsedStatementPolicy(policy, config.postgresProxies())),
                new ProxySignals(longPolls),
                clock,
                baseUrl);
        parts.add(enforcement);
        List<PostgresProxy> started = new ArrayList<>();
        for (PostgresProxyConfig proxy : config.postgresProxies()) {
            PostgresProxy listening =
                    PostgresProxy.start(proxy, environment, enforcement, new ProxyAgents(bearerTokens));
            parts.add(listening);
            started.add(listening);
        }
        return started;
    }

    /**
     * The {@code proxies.http} upstreams, served at {@code /proxy/<name>/} by the API server, on
     * their own enforcement seam over the gateway's workflow; closed before the seam and the store.
     */
    Optional<HttpProxy> startHttp(Workflow workflow) {
        if (config.httpProxies().isEmpty()) {
            return Optional.empty();
        }
        Enforcement enforcement = new Enforcement(workflow, new ProxySignals(longPolls), clock, baseUrl);
        parts.add(enforcement);
        HttpProxy proxy = HttpProxy.start(config.httpProxies(), environment, enforcement, clock);
        parts.add(proxy);
        return Optional.of(proxy);
    }

    /**
     * The {@code proxies.ssh} listeners, on their own enforcement seam whose workflow denies shells,
     * SFTP and forwarding no rule names; stopped before the seam and the store.
     */
    void startSsh(GatewayStore store) {
        if (config.sshGateways().isEmpty()) {
            return;
        }
        Enforcement enforcement = new Enforcement(
                workflows.apply(new SessionActionsPolicy(policy)), new ProxySignals(longPolls), clock, baseUrl);
        parts.add(enforcement);
        for (SshGatewayConfig ssh : config.sshGateways()) {
            parts.add(SshGateway.start(
                    ssh.under(config.dataDirectory()),
                    enforcement,
                    new ProxyAgents(bearerTokens),
                    new AgentSshKeys(store, clock),
                    clock));
        }
    }
}
