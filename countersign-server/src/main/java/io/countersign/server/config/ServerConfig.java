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

    /** Plain HTTP (no {@code server.tls:}), TLS then ending at a proxy if anywhere; no enforcing proxies (no {@code proxies:}). */
    public ServerConfig(
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
            PolicyChangeSettings policyChanges) {
        this(
                host,
                port,
                dataDirectory,
                policyFile,
                baseUrl,
                maxBodyBytes,
                grantTtl,
                identity,
                audit,
                mcp,
                console,
                database,
                notifications,
                teams,
                slack,
                policyChanges,
                Optional.empty(),
                List.of(),
                List.of(),
                List.of());
    }

    /** Without a {@code policyChanges:} section: no policy changes through the API, hot reload from disk. */
    public ServerConfig(
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
            Optional<SlackConfig> slack) {
        this(
                host,
                port,
                dataDirectory,
                policyFile,
                baseUrl,
                maxBodyBytes,
                grantTtl,
                identity,
                audit,
                mcp,
                console,
                database,
                notifications,
                teams,
                slack,
                PolicyChangeSettings.disabled());
    }

    /** Without Slack (no {@code slack:} section). */
    public ServerConfig(
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
            TeamsConfig teams) {
        this(
                host,
                port,
                dataDirectory,
                policyFile,
                baseUrl,
                maxBodyBytes,
                grantTtl,
                identity,
                audit,
                mcp,
                console,
                database,
                notifications,
                teams,
                Optional.empty());
    }

    /** Without Microsoft Teams (no {@code teams:} section). */
    public ServerConfig(
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
            NotificationsConfig notifications) {
        this(
                host,
                port,
                dataDirectory,
                policyFile,
                baseUrl,
                maxBodyBytes,
                grantTtl,
                identity,
                audit,
                mcp,
                console,
                database,
                notifications,
                TeamsConfig.none());
    }

    /** SQLite in the data folder (no {@code database:} section). */
    public ServerConfig(
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
            ConsoleConfig console) {
        this(
                host,
                port,
                dataDirectory,
                policyFile,
                baseUrl,
                maxBodyBytes,
                grantTtl,
                identity,
                audit,
                mcp,
                console,
                DatabaseConfig.embedded());
    }

    /** Without webhooks and with the outbox's default retries. */
    public ServerConfig(
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
            DatabaseConfig database) {
        this(
                host,
                port,
                dataDirectory,
                policyFile,
                baseUrl,
                maxBodyBytes,
                grantTtl,
                identity,
                audit,
                mcp,
                console,
                database,
                NotificationsConfig.defaults());
    }

    /** With the console's defaults (see {@link ConsoleConfig}). */
    public ServerConfig(
            String host,
            int port,
            Path dataDirectory,
            Optional<Path> policyFile,
            Optional<String> baseUrl,
            long maxBodyBytes,
            Duration grantTtl,
            IdentityConfig identity,
            AuditConfig audit,
            McpConfig mcp) {
        this(
                host,
                port,
                dataDirectory,
                policyFile,
                baseUrl,
                maxBodyBytes,
                grantTtl,
                identity,
                audit,
                mcp,
                ConsoleConfig.defaults());
    }

    /** Without an identity provider: API keys and local tokens only. */
    public ServerConfig(
            String host,
            int port,
            Path dataDirectory,
            Optional<Path> policyFile,
            Optional<String> baseUrl,
            long maxBodyBytes,
            Duration grantTtl) {
        this(host, port, dataDirectory, policyFile, baseUrl, maxBodyBytes, grantTtl, IdentityConfig.localOnly());
    }

    /** With the audit log's defaults (see {@link AuditConfig}). */
    public ServerConfig(
            String host,
            int port,
            Path dataDirectory,
            Optional<Path> policyFile,
            Optional<String> baseUrl,
            long maxBodyBytes,
            Duration grantTtl,
            IdentityConfig identity) {
        this(host, port, dataDirectory, policyFile, baseUrl, maxBodyBytes, grantTtl, identity, AuditConfig.defaults());
    }

    /** Without an MCP gateway (no {@code mcp:} section). */
    public ServerConfig(
            String host,
            int port,
            Path dataDirectory,
            Optional<Path> policyFile,
            Optional<String> baseUrl,
            long maxBodyBytes,
            Duration grantTtl,
            IdentityConfig identity,
            AuditConfig audit) {
        this(host, port, dataDirectory, policyFile, baseUrl, maxBodyBytes, grantTtl, identity, audit, McpConfig.none());
    }

    public static ServerConfig defaults() {
        return new ServerConfig(
                "127.0.0.1",
                DEFAULT_PORT,
                Path.of("countersign-data"),
                Optional.empty(),
                Optional.empty(),
                DEFAULT_MAX_BODY_BYTES,
                Duration.ofMinutes(5));
    }

    public ServerConfig withPort(int newPort) {
        return new ServerConfig(
                host,
                newPort,
                dataDirectory,
                policyFile,
                baseUrl,
                maxBodyBytes,
                grantTtl,
                identity,
                audit,
                mcp,
                console,
                database,
                notifications,
                teams,
                slack,
                policyChanges,
                tls,
                postgresProxies,
                httpProxies,
                sshGateways);
    }

    public ServerConfig withDataDirectory(Path directory) {
        return new ServerConfig(
                host,
                port,
                directory,
                policyFile,
                baseUrl,
                maxBodyBytes,
                grantTtl,
                identity,
                audit,
                mcp,
                console,
                database,
                notifications,
                teams,
                slack,
                policyChanges,
                tls,
                postgresProxies,
                httpProxies,
                sshGateways);
    }

    public ServerConfig withPolicyFile(Path file) {
        return new ServerConfig(
                host,
                port,
                dataDirectory,
                Optional.of(file),
                baseUrl,
                maxBodyBytes,
                grantTtl,
                identity,
                audit,
                mcp,
                console,
                database,
                notifications,
                teams,
                slack,
                policyChanges,
                tls,
                postgresProxies,
                httpProxies,
                sshGateways);
    }

    public ServerConfig withHost(String newHost) {
        return new ServerConfig(
                newHost,
                port,
                dataDirectory,
                policyFile,
                baseUrl,
                maxBodyBytes,
                grantTtl,
                identity,
                audit,
                mcp,
                console,
                database,
                notifications,
                teams,
                slack,
                policyChanges,
                tls,
                postgresProxies,
                httpProxies,
                sshGateways);
    }

    public ServerConfig withAudit(AuditConfig newAudit) {
        return new ServerConfig(
                host,
                port,
                dataDirectory,
                policyFile,
                baseUrl,
                maxBodyBytes,
                grantTtl,
                identity,
                newAudit,
                mcp,
                console,
                database,
                notifications,
                teams,
                slack,
                policyChanges,
                tls,
                postgresProxies,
                httpProxies,
                sshGateways);
    }

    public ServerConfig withIdentity(IdentityConfig newIdentity) {
        return new ServerConfig(
                host,
                port,
                dataDirectory,
                policyFile,
                baseUrl,
                maxBodyBytes,
                grantTtl,
                newIdentity,
                audit,
                mcp,
                console,
                database,
                notifications,
                teams,
                slack,
                policyChanges,
                tls,
                postgresProxies,
                httpProxies,
                sshGateways);
    }

    public ServerConfig withMcp(McpConfig newMcp) {
        return new ServerConfig(
                host,
                port,
                dataDirectory,
                policyFile,
                baseUrl,
                maxBodyBytes,
                grantTtl,
                identity,
                audit,
                newMcp,
                console,
                database,
                notifications,
                teams,
                slack,
                policyChanges,
                tls,
                postgresProxies,
                httpProxies,
                sshGateways);
    }

    public ServerConfig withConsole(ConsoleConfig newConsole) {
        return new ServerConfig(
                host,
                port,
                dataDirectory,
                policyFile,
                baseUrl,
                maxBodyBytes,
                grantTtl,
                identity,
                audit,
                mcp,
                newConsole,
                database,
                notifications,
                teams,
                slack,
                policyChanges,
                tls,
                postgresProxies,
                httpProxies,
                sshGateways);
    }

    public ServerConfig withTeams(TeamsConfig newTeams) {
        return new ServerConfig(
                host,
                port,
                dataDirectory,
                policyFile,
                baseUrl,
                maxBodyBytes,
                grantTtl,
                identity,
                audit,
                mcp,
                console,
                database,
                notifications,
                newTeams,
                slack,
                policyChanges,
                tls,
                postgresProxies,
                httpProxies,
                sshGateways);
    }

    public ServerConfig withSlack(SlackConfig newSlack) {
        return withSlackSection(Optional.of(newSlack));
    }

    public ServerConfig withSlackSection(Optional<SlackConfig> newSlack) {
        return new ServerConfig(
                host,
                port,
                dataDirectory,
                policyFile,
                baseUrl,
                maxBodyBytes,
                grantTtl,
                identity,
                audit,
                mcp,
                console,
                database,
                notifications,
                teams,
                newSlack,
                policyChanges,
                tls,
                postgresProxies,
                httpProxies,
                sshGateways);
    }

    public ServerConfig withNotifications(NotificationsConfig newNotifications) {
        return new ServerConfig(
                host,
                port,
                dataDirectory,
                policyFile,
                baseUrl,
                maxBodyBytes,
                grantTtl,
                identity,
                audit,
                mcp,
                console,
                database,
                newNotifications,
                teams,
                slack,
                policyChanges,
                tls,
                postgresProxies,
                httpProxies,
                sshGateways);
    }

    public ServerConfig withPolicyChanges(PolicyChangeSettings newPolicyChanges) {
        return new ServerConfig(
                host,
                port,
                dataDirectory,
                policyFile,
                baseUrl,
                maxBodyBytes,
                grantTtl,
                identity,
                audit,
                mcp,
                console,
                database,
                notifications,
                teams,
                slack,
                newPolicyChanges,
                tls,
                postgresProxies,
                httpProxies,
                sshGateways);
    }

    public ServerConfig withDatabase(DatabaseConfig newDatabase) {
        return new ServerConfig(
                host,
                port,
                dataDirectory,
                policyFile,
                baseUrl,
                maxBodyBytes,
                grantTtl,
                identity,
                audit,
                mcp,
                console,
                newDatabase,
                notifications,
                teams,
                slack,
                policyChanges,
                tls,
                postgresProxies,
                httpProxies,
                sshGateways);
    }

    public ServerConfig withPostgresProxies(List<PostgresProxyConfig> proxies) {
        return new ServerConfig(
                host,
                port,
                dataDirectory,
                policyFile,
                baseUrl,
                maxBodyBytes,
                grantTtl,
                identity,
                audit,
                mcp,
                console,
                database,
                notifications,
                teams,
                slack,
                policyChanges,
                tls,
                proxies,
                httpProxies,
                sshGateways);
    }

    public ServerConfig withHttpProxies(List<HttpProxyConfig> proxies) {
        return new ServerConfig(
                host,
                port,
                dataDirectory,
                policyFile,
                baseUrl,
                maxBodyBytes,
                grantTtl,
                identity,
                audit,
                mcp,
                console,
                database,
                notifications,
                teams,
                slack,
                policyChanges,
                tls,
                postgresProxies,
                proxies,
                sshGateways);
    }

    public ServerConfig withSshGateways(List<SshGatewayConfig> gateways) {
        return new ServerConfig(
                host,
                port,
                dataDirectory,
                policyFile,
                baseUrl,
                maxBodyBytes,
                grantTtl,
                identity,
                audit,
                mcp,
                console,
                database,
                notifications,
                teams,
                slack,
                policyChanges,
                tls,
                postgresProxies,
                httpProxies,
                gateways);
    }

    public ServerConfig withTls(TlsFiles files) {
        return withTlsSection(Optional.of(files));
    }

    public ServerConfig withTlsSection(Optional<TlsFiles> newTls) {
        return new ServerConfig(
                host,
                port,
                dataDirectory,
                policyFile,
                baseUrl,
                maxBodyBytes,
                grantTtl,
                identity,
                audit,
                mcp,
                console,
                database,
                notifications,
                teams,
                slack,
                policyChanges,
                newTls,
                postgresProxies,
                httpProxies,
                sshGateways);
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
