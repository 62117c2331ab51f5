package io.countersign.server.config;

import static java.util.Objects.requireNonNull;

import io.countersign.proxy.http.HttpProxyConfig;
import io.countersign.proxy.postgres.PostgresProxyConfig;
import io.countersign.proxy.ssh.SshGatewayConfig;
import io.countersign.server.audit.AuditConfig;
import io.countersign.server.console.ConsoleConfig;
import io.countersign.server.http.TlsFiles;
import io.countersign.server.identity.IdentityConfig;
import io.countersign.server.mcp.McpConfig;
import io.countersign.server.policychange.PolicyChangeSettings;
import io.countersign.server.slack.SlackConfig;
import io.countersign.server.teams.TeamsConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * How a gateway runs. Defaults: loopback port 8080, data in {@code ./countersign-data}, the
 * bundled example policy, 5-minute grants, 64 KiB request bodies.
 */
public record ServerConfig(
        String host,
        int port,
        Path dataDirectory,
        Optional<Path> policyFile,
        Optional<String> baseUrl,
        long maxBodyBytes,
        Duration grantTtl,
        IdentityConfig identity,
        AuditConfig audit,
        McpConfig mcp,
        ConsoleConfig console,
        DatabaseConfig database,
        NotificationsConfig notifications,
        TeamsConfig teams,
        Optional<SlackConfig> slack,
        PolicyChangeSettings policyChanges,
        Optional<TlsFiles> tls,
        List<PostgresProxyConfig> postgresProxies,
        List<HttpProxyConfig> httpProxies,
        List<SshGatewayConfig> sshGateways) {

    public static final int DEFAULT_PORT = 8080;
    public static final long DEFAULT_MAX_BODY_BYTES = 64 * 1024;

    public ServerConfig {
        requireNonNull(host, "host is null");
        requireNonNull(dataDirectory, "dataDirectory is null");
        requireNonNull(policyFile, "policyFile is null");
        requireNonNull(baseUrl, "baseUrl is null");
        requireNonNull(grantTtl, "grantTtl is null");
        requireNonNull(identity, "identity is null");
        requireNonNull(audit, "audit is null");
        requireNonNull(console, "console is null");
        requireNonNull(mcp, "mcp is null");
        requireNonNull(notifications, "notifications is null");
        requireNonNull(database, "database is null");
        requireNonNull(teams, "teams is null");
        requireNonNull(slack, "slack is null");
        requireNonNull(policyChanges, "policyChanges is null");
        requireNonNull(tls, "tls is null");
        postgresProxies = List.copyOf(requireNonNull(postgresProxies, "postgresProxies is null"));
        httpProxies = List.copyOf(requireNonNull(httpProxies, "httpProxies is null"));
        sshGateways = List.copyOf(requireNonNull(sshGateways, "sshGateways is null"));
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port is " + port + ", want 0 to 65535");
        }
        if (maxBodyBytes < 1024) {
            throw new IllegalArgumentException("maxBodyBytes is " + maxBodyBytes + ", want at least 1024");
        }
    }

    /**
     * Loopback port 8080, data in {@code ./countersign-data}, the bundled example policy, 5-minute
     * grants, 64 KiB bodies, local identities only, SQLite, no MCP, Teams, Slack, TLS or proxies,
     * and no policy changes through the API.
     */
    public static ServerConfig defaults() {
        return new ServerConfig(
                "127.0.0.1",
                DEFAULT_PORT,
                Path.of("countersign-data"),
                Optional.empty(),
                Optional.empty(),
                DEFAULT_MAX_BODY_BYTES,
                Duration.ofMinutes(5),
                IdentityConfig.localOnly(),
                AuditConfig.defaults(),
                McpConfig.none(),
                ConsoleConfig.defaults(),
                DatabaseConfig.embedded(),
                NotificationsConfig.defaults(),
                TeamsConfig.none(),
                Optional.empty(),
                PolicyChangeSettings.disabled(),
                Optional.empty(),
                List.of(),
                List.of(),
                List.of());
    }

    /** Starts a changed copy of this configuration (for the readers of the config file). */
    ServerConfigBuilder toBuilder() {
        return new ServerConfigBuilder(this);
    }

    public ServerConfig withPort(int value) {
        return toBuilder().port(value).build();
    }

    public ServerConfig withHost(String value) {
        return toBuilder().host(value).build();
    }

    public ServerConfig withDataDirectory(Path value) {
        return toBuilder().dataDirectory(value).build();
    }

    public ServerConfig withMaxBodyBytes(long value) {
        return toBuilder().maxBodyBytes(value).build();
    }

    public ServerConfig withGrantTtl(Duration value) {
        return toBuilder().grantTtl(value).build();
    }

    public ServerConfig withAudit(AuditConfig value) {
        return toBuilder().audit(value).build();
    }

    public ServerConfig withIdentity(IdentityConfig value) {
        return toBuilder().identity(value).build();
    }

    public ServerConfig withMcp(McpConfig value) {
        return toBuilder().mcp(value).build();
    }

    public ServerConfig withConsole(ConsoleConfig value) {
        return toBuilder().console(value).build();
    }

    public ServerConfig withTeams(TeamsConfig value) {
        return toBuilder().teams(value).build();
    }

    public ServerConfig withSlackSection(Optional<SlackConfig> value) {
        return toBuilder().slack(value).build();
    }

    public ServerConfig withNotifications(NotificationsConfig value) {
        return toBuilder().notifications(value).build();
    }

    public ServerConfig withPolicyChanges(PolicyChangeSettings value) {
        return toBuilder().policyChanges(value).build();
    }

    public ServerConfig withDatabase(DatabaseConfig value) {
        return toBuilder().database(value).build();
    }

    public ServerConfig withPostgresProxies(List<PostgresProxyConfig> value) {
        return toBuilder().postgresProxies(value).build();
    }

    public ServerConfig withHttpProxies(List<HttpProxyConfig> value) {
        return toBuilder().httpProxies(value).build();
    }

    public ServerConfig withSshGateways(List<SshGatewayConfig> value) {
        return toBuilder().sshGateways(value).build();
    }

    public ServerConfig withTlsSection(Optional<TlsFiles> value) {
        return toBuilder().tls(value).build();
    }

    public ServerConfig withPolicyFile(Path file) {
        return toBuilder().policyFile(Optional.of(file)).build();
    }

    /** Where links in answers point, instead of the address the server listens on. */
    public ServerConfig withBaseUrl(String url) {
        return toBuilder().baseUrl(Optional.of(url)).build();
    }

    public ServerConfig withSlack(SlackConfig slackConfig) {
        return withSlackSection(Optional.of(slackConfig));
    }

    public ServerConfig withTls(TlsFiles files) {
        return withTlsSection(Optional.of(files));
    }

    /**
     * Whether browsers reach this gateway over TLS (served here with {@code server.tls}, or a
     * baseUrl with https, e.g. behind a TLS proxy): console cookies are then Secure.
     */
    public boolean servedOverTls() {
        return tls.isPresent()
                || baseUrl.map(url -> url.regionMatches(true, 0, "https://", 0, 8))
                        .orElse(false);
    }

    /** Where links in answers point (the approval URL); by default the address the server listens on. */
    public String baseUrlFor(int actualPort) {
        String shownHost = host.contains(":") ? "[" + host + "]" : host.equals("0.0.0.0") ? "localhost" : host;
        return baseUrl.orElse((tls.isPresent() ? "https://" : "http://") + shownHost + ":" + actualPort);
    }
}
