package io.countersign.server.config;

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
 * A {@link ServerConfig} changed in a few parts: it starts as a copy of one and changes only what
 * it is told, so a new section is one field here, not a new constructor or a copy in every wither.
 */
final class ServerConfigBuilder {
    private String host;
    private int port;
    private Path dataDirectory;
    private Optional<Path> policyFile;
    private Optional<String> baseUrl;
    private long maxBodyBytes;
    private Duration grantTtl;
    private IdentityConfig identity;
    private AuditConfig audit;
    private McpConfig mcp;
    private ConsoleConfig console;
    private DatabaseConfig database;
    private NotificationsConfig notifications;
    private TeamsConfig teams;
    private Optional<SlackConfig> slack;
    private PolicyChangeSettings policyChanges;
    private Optional<TlsFiles> tls;
    private List<PostgresProxyConfig> postgresProxies;
    private List<HttpProxyConfig> httpProxies;
    private List<SshGatewayConfig> sshGateways;

    ServerConfigBuilder(ServerConfig from) {
        host = from.host();
        port = from.port();
        dataDirectory = from.dataDirectory();
        policyFile = from.policyFile();
        baseUrl = from.baseUrl();
        maxBodyBytes = from.maxBodyBytes();
        grantTtl = from.grantTtl();
        identity = from.identity();
        audit = from.audit();
        mcp = from.mcp();
        console = from.console();
        database = from.database();
        notifications = from.notifications();
        teams = from.teams();
        slack = from.slack();
        policyChanges = from.policyChanges();
        tls = from.tls();
        postgresProxies = from.postgresProxies();
        httpProxies = from.httpProxies();
        sshGateways = from.sshGateways();
    }

    ServerConfigBuilder host(String value) {
        host = value;
        return this;
    }

    ServerConfigBuilder port(int value) {
        port = value;
        return this;
    }

    ServerConfigBuilder dataDirectory(Path value) {
        dataDirectory = value;
        return this;
    }

    ServerConfigBuilder policyFile(Optional<Path> value) {
        policyFile = value;
        return this;
    }

    ServerConfigBuilder baseUrl(Optional<String> value) {
        baseUrl = value;
        return this;
    }

    ServerConfigBuilder maxBodyBytes(long value) {
        maxBodyBytes = value;
        return this;
    }

    ServerConfigBuilder grantTtl(Duration value) {
        grantTtl = value;
        return this;
    }

    ServerConfigBuilder identity(IdentityConfig value) {
        identity = value;
        return this;
    }

    ServerConfigBuilder audit(AuditConfig value) {
        audit = value;
        return this;
    }

    ServerConfigBuilder mcp(McpConfig value) {
        mcp = value;
        return this;
    }

    ServerConfigBuilder console(ConsoleConfig value) {
        console = value;
        return this;
    }

    ServerConfigBuilder database(DatabaseConfig value) {
        database = value;
        return this;
    }

    ServerConfigBuilder notifications(NotificationsConfig value) {
        notifications = value;
        return this;
    }

    ServerConfigBuilder teams(TeamsConfig value) {
        teams = value;
        return this;
    }

    ServerConfigBuilder slack(Optional<SlackConfig> value) {
        slack = value;
        return this;
    }

    ServerConfigBuilder policyChanges(PolicyChangeSettings value) {
        policyChanges = value;
        return this;
    }

    ServerConfigBuilder tls(Optional<TlsFiles> value) {
        tls = value;
        return this;
    }

    ServerConfigBuilder postgresProxies(List<PostgresProxyConfig> value) {
        postgresProxies = value;
        return this;
    }

    ServerConfigBuilder httpProxies(List<HttpProxyConfig> value) {
        httpProxies = value;
        return this;
    }

    ServerConfigBuilder sshGateways(List<SshGatewayConfig> value) {
        sshGateways = value;
        return this;
    }

    ServerConfig build() {
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
                sshGateways);
    }
}
