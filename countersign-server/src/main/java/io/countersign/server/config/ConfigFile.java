package io.countersign.server.config;

import io.countersign.outbox.NotificationType;
import io.countersign.server.audit.AuditConfig;
import io.countersign.server.audit.WitnessConfig;
import io.countersign.server.channels.Backoff;
import io.countersign.server.console.ConsoleConfig;
import io.countersign.server.http.TlsFiles;
import io.countersign.server.mcp.McpConfig;
import io.countersign.server.policychange.PolicyChangeSettings;
import io.countersign.server.slack.SlackConfig;
import io.countersign.server.webhooks.WebhookConfig;
import io.countersign.server.webhooks.WebhookSecret;
import io.countersign.store.postgres.PostgresSettings;
import io.countersign.tlog.cosignature.WitnessKey;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads {@code countersign.yaml}. Unknown keys are errors, so a typo never silently falls back to
 * a default. Relative paths are relative to the config file's folder.
 *
 * <pre>
 * server: {host: 127.0.0.1, port: 8080, baseUrl: https://countersign.example.com, maxBodyBytes: 65536,
 *          tls: {certFile: ./tls/cert.pem, keyFile: ./tls/key.pem}}   # HTTPS served here; docs/configuration.md
 * data: ./countersign-data
 * policy: ./policy.yaml
 * grants: {ttl: 5m}
 * audit:                                       # see AuditConfig
 *   origin: countersign.example.com/audit      # default: the existing key's name, else countersign/&lt;hostname&gt;
 *   signingKeyFile: ./audit-signing.key        # default: audit-signing.key in the data folder, made on first start
 *   witnesses: [{url: https://witness.example.net/countersign, key: witness.example.net+1a2b3c4d+BA...}]
 *   checkpointInterval: 1s
 * mcp: {servers: {files: {command: npx, args: [...]}}}       # see McpConfig
 * outbox: {initialBackoff: 1s, maxBackoff: 5m, maxAttempts: 25}   # retries of Slack, Teams and webhook deliveries
 * webhooks: [{name: pagerduty, url: https://..., secretEnv: PAGERDUTY_WEBHOOK_SECRET, events: [request.created]}]   # Standard Webhooks
 * console: {clientId: countersign-console, clientSecretEnv: CONSOLE_CLIENT_SECRET,   # the console's OIDC client; docs/console.md
 *           idleTimeout: 30m, sessionLifetime: 12h}
 * database: {url: jdbc:postgresql://db:5432/countersign, user: countersign, passwordEnv: COUNTERSIGN_DB_PASSWORD, poolSize: 10}   # see DatabaseConfig; none: SQLite in data
 * policyChanges: {approvers: [policy-admins], quorum: 1, timeout: 24h, reloadFromDisk: true}   # docs/insights.md
 * teams: {appId: ..., appPasswordEnv: TEAMS_APP_PASSWORD, serviceUrl: ..., conversationId: ...}   # see TeamsSection; docs/teams.md
 * slack: {botTokenEnv: SLACK_BOT_TOKEN, signingSecretEnv: SLACK_SIGNING_SECRET, defaultChannel: C0123ABCD}   # see SlackConfig, docs/slack.md
 * proxies: {postgres: [{name: main, listen: 127.0.0.1:6432, upstream: {...}}]}   # see ProxiesSection; docs/postgres-proxy.md
 * proxies: {http: [{name: github, upstream: https://api.github.com, credentials: {...}}]}   # HttpProxiesSection; docs/http-proxy.md
 * proxies: {ssh: [{name: prod-web, listen: 127.0.0.1:2222, upstream: {...}}]}     # see SshProxiesSection; docs/ssh-gateway.md
 * identity: {oidc: {issuer: https://login.example.com, audience: countersign}, roles: {admin: [admins]}}   # see IdentitySection
 * </pre>
 */
public final class ConfigFile {
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

    private ConfigFile() {}

    public static ServerConfig load(Path file) {
        Object root;
        try {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(file));
        } catch (IOException e) {
            throw new ConfigException(file + ": can't read it: " + e.getMessage());
        } catch (YAMLException e) {
            throw new ConfigException(file + ": not valid YAML: " + e.getMessage());
        }
        Map<?, ?> top = map(
                file,
                "the file",
                root == null ? Map.of() : root,
                Set.of(
                        "server",
                        "data",
                        "policy",
                        "grants",
                        "identity",
                        "audit",
                        "mcp",
                        "database",
                        "console",
                        "outbox",
                        "webhooks",
                        "teams",
                        "slack",
                        "policyChanges",
                        "proxies"));
        Path base = Optional.ofNullable(file.toAbsolutePath().getParent()).orElse(Path.of("."));
        ServerConfig config = ServerConfig.defaults();
        Map<?, ?> server = map(
                file,
                "server",
                top.containsKey("server") ? top.get("server") : Map.of(),
                Set.of("host", "port", "baseUrl", "maxBodyBytes", "tls"));
        String host = string(file, "server.host", server.get("host")).orElse(config.host());
        int port = integer(file, "server.port", server.get("port")).orElse(config.port());
        Optional<String> baseUrl =
                string(file, "server.baseUrl", server.get("baseUrl")).map(url -> url.replaceAll("/+$", ""));
        long maxBody = integer(file, "server.maxBodyBytes", server.get("maxBodyBytes"))
                .map(Integer::longValue)
                .orElse(config.maxBodyBytes());
        Optional<TlsFiles> tls = tls(file, base, server.get("tls"));
        Path data = string(file, "data", top.get("data")).map(base::resolve).orElse(config.dataDirectory());
        Optional<Path> policy = string(file, "policy", top.get("policy")).map(base::resolve);
        Map<?, ?> grants = map(file, "grants", top.containsKey("grants") ? top.get("grants") : Map.of(), Set.of("ttl"));
        Duration ttl = string(file, "grants.ttl", grants.get("ttl"))
                .map(value -> duration(file, "grants.ttl", value))
                .orElse(config.grantTtl());
        try {
            return config.toBuilder()
                    .host(host)
                    .port(port)
                    .dataDirectory(data)
                    .policyFile(policy)
                    .baseUrl(baseUrl)
                    .maxBodyBytes(maxBody)
                    .grantTtl(ttl)
                    .identity(IdentitySection.parse(file, top.get("identity")))
                    .audit(audit(file, base, top.get("audit")))
                    .mcp(mcp(file, top.get("mcp")))
                    .database(database(file, top.get("database")))
                    .console(console(file, top.get("console")))
                    .notifications(notifications(file, top.get("outbox"), top.get("webhooks")))
                    .teams(TeamsSection.parse(file, top.get("teams"), name -> Optional.ofNullable(System.getenv(name))))
                    .slack(SlackConfig.parse(top.get("slack"), name -> Optional.ofNullable(System.getenv(name))))
                    .policyChanges(policyChanges(file, top.get("policyChanges")))
                    .tls(tls)
                    .postgresProxies(ProxiesSection.parse(file, base, top.get("proxies")))
                    .httpProxies(HttpProxiesSection.parse(file, top.get("proxies")))
                    .sshGateways(SshProxiesSection.parse(file, base, top.get("proxies")))
                    .build();
        } catch (IllegalArgumentException e) {
            throw new ConfigException(file + ": " + e.getMessage());
        }
    }

    /** {@code server.tls}: HTTPS served here, from PEM files (relative to the config file). */
    private static Optional<TlsFiles> tls(Path file, Path base, @Nullable Object value) {
        if (value == null) {
            return Optional.empty();
        }
        Map<?, ?> tls = map(file, "server.tls", value, Set.of("certFile", "keyFile"));
        Path cert = string(file, "server.tls.certFile", tls.get("certFile"))
                .map(base::resolve)
                .orElseThrow(() -> new ConfigException(
                        file + ": 'server.tls.certFile' is missing; want the PEM certificate chain"));
        Path key = string(file, "server.tls.keyFile", tls.get("keyFile"))
                .map(base::resolve)
                .orElseThrow(() -> new ConfigException(
                        file + ": 'server.tls.keyFile' is missing; want the PEM private key (PKCS#8)"));
        return Optional.of(new TlsFiles(cert, key));
    }

    /** Who approves a policy change proposed through the API; docs/insights.md. */
    private static PolicyChangeSettings policyChanges(Path file, @Nullable Object value) {
        if (value == null) {
            return PolicyChangeSettings.disabled();
        }
        Map<?, ?> section =
                map(file, "policyChanges", value, Set.of("approvers", "quorum", "timeout", "reloadFromDisk"));
        Object listed = section.get("approvers");
        if (!(listed instanceof List<?> groups) || groups.isEmpty()) {
            throw new ConfigException(file + ": 'policyChanges.approvers' must be a non-empty list of groups");
        }
        Set<String> approvers = new TreeSet<>();
        for (Object group : groups) {
            approvers.add(string(file, "policyChanges.approvers", group)
                    .filter(name -> !name.isBlank())
                    .orElseThrow(() -> new ConfigException(file + ": 'policyChanges.approvers' has an empty entry")));
        }
        int quorum =
                integer(file, "policyChanges.quorum", section.get("quorum")).orElse(1);
        Duration timeout = string(file, "policyChanges.timeout", section.get("timeout"))
                .map(text -> duration(file, "policyChanges.timeout", text))
                .orElse(PolicyChangeSettings.DEFAULT_TIMEOUT);
        Object reload = section.get("reloadFromDisk");
        if (reload != null && !(reload instanceof Boolean)) {
            throw new ConfigException(
                    file + ": 'policyChanges.reloadFromDisk' must be true or false, got '" + reload + "'");
        }
        return new PolicyChangeSettings(approvers, quorum, timeout, reload == null || (Boolean) reload);
    }

    private static McpConfig mcp(Path file, @Nullable Object value) {
        try {
            return McpConfig.parse(file, value, (key, text) -> duration(file, key, text));
        } catch (McpConfig.McpConfigException e) {
            throw new ConfigException(java.util.Objects.requireNonNullElse(e.getMessage(), "no detail"));
        }
    }

    /** No section: SQLite in the data folder. The password comes from an environment variable, never from the file. */
    private static DatabaseConfig database(Path file, @Nullable Object value) {
        if (value == null) {
            return DatabaseConfig.embedded();
        }
        Map<?, ?> database = map(file, "database", value, Set.of("url", "user", "passwordEnv", "poolSize"));
        String url = string(file, "database.url", database.get("url"))
                .orElseThrow(() -> new ConfigException(
                        file + ": 'database.url' is missing; want jdbc:postgresql://host:port/database"));
        Optional<String> passwordEnv = string(file, "database.passwordEnv", database.get("passwordEnv"));
        Optional<String> password = passwordEnv.map(name -> Optional.ofNullable(System.getenv(name))
                .orElseThrow(() -> new ConfigException(file + ": 'database.passwordEnv' names the environment variable "
                        + name + ", which is not set")));
        int poolSize =
                integer(file, "database.poolSize", database.get("poolSize")).orElse(PostgresSettings.DEFAULT_POOL_SIZE);
        return DatabaseConfig.postgres(
                new PostgresSettings(url, string(file, "database.user", database.get("user")), password, poolSize));
    }

    /**
     * The outbox's retries and the signed webhooks. A webhook's secret comes from the environment
     * ({@code secretEnv}), never from the file.
     */
    private static NotificationsConfig notifications(
            Path file, @Nullable Object outboxValue, @Nullable Object webhooksValue) {
        Map<?, ?> outbox = map(
                file,
                "outbox",
                outboxValue == null ? Map.of() : outboxValue,
                Set.of("initialBackoff", "maxBackoff", "maxAttempts", "pollInterval"));
        Backoff defaults = Backoff.DEFAULT;
        Backoff backoff = new Backoff(
                string(file, "outbox.initialBackoff", outbox.get("initialBackoff"))
                        .map(text -> duration(file, "outbox.initialBackoff", text))
                        .orElse(defaults.initial()),
                string(file, "outbox.maxBackoff", outbox.get("maxBackoff"))
                        .map(text -> duration(file, "outbox.maxBackoff", text))
                        .orElse(defaults.max()),
                integer(file, "outbox.maxAttempts", outbox.get("maxAttempts")).orElse(defaults.maxAttempts()));
        Duration poll = string(file, "outbox.pollInterval", outbox.get("pollInterval"))
                .map(text -> duration(file, "outbox.pollInterval", text))
                .orElse(NotificationsConfig.DEFAULT_POLL_INTERVAL);
        if (webhooksValue != null && !(webhooksValue instanceof List<?>)) {
            throw new ConfigException(file + ": 'webhooks' must be a list of {name, url, secretEnv, events}");
        }
        List<WebhookConfig> webhooks = new ArrayList<>();
        for (Object item : webhooksValue == null ? List.of() : (List<?>) webhooksValue) {
            Map<?, ?> webhook =
                    map(file, "webhooks[" + webhooks.size() + "]", item, Set.of("name", "url", "secretEnv", "events"));
            String name = string(file, "webhooks[].name", webhook.get("name"))
                    .orElseThrow(() -> new ConfigException(file + ": a webhook has no 'name'"));
            String key = "webhooks." + name;
            URI url;
            try {
                url = new URI(string(file, key + ".url", webhook.get("url"))
                        .orElseThrow(() -> new ConfigException(file + ": '" + key + ".url' is missing")));
            } catch (URISyntaxException e) {
                throw new ConfigException(file + ": '" + key + ".url' is not a URL: " + e.getMessage());
            }
            String env = string(file, key + ".secretEnv", webhook.get("secretEnv"))
                    .orElseThrow(() -> new ConfigException(file + ": '" + key
                            + ".secretEnv' is missing; name the environment variable holding whsec_..."));
            String secretText = Optional.ofNullable(System.getenv(env))
                    .filter(text -> !text.isBlank())
                    .orElseThrow(() -> new ConfigException(file + ": '" + key
                            + ".secretEnv' names the environment variable " + env + ", which is not set"));
            WebhookSecret secret;
            try {
                secret = WebhookSecret.parse(secretText);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(file + ": the secret in " + env + " for " + key + ": " + e.getMessage());
            }
            Set<NotificationType> events = WebhookConfig.DEFAULT_EVENTS;
            Object listed = webhook.get("events");
            if (listed != null) {
                if (!(listed instanceof List<?> names)) {
                    throw new ConfigException(
                            file + ": '" + key + ".events' must be a list like [request.created, request.decided]");
                }
                events = new HashSet<>();
                for (Object event : names) {
                    try {
                        events.add(NotificationType.fromWireName(String.valueOf(event)));
                    } catch (IllegalArgumentException e) {
                        throw new ConfigException(file + ": '" + key + ".events': " + e.getMessage());
                    }
                }
            }
            webhooks.add(new WebhookConfig(name, url, secret, events));
        }
        return new NotificationsConfig(backoff, poll, webhooks);
    }

    /** The console's OAuth client at the identity provider; the secret only from the environment, never the file. */
    private static ConsoleConfig console(Path file, @Nullable Object value) {
        Map<?, ?> console = map(
                file,
                "console",
                value == null ? Map.of() : value,
                Set.of("clientId", "clientSecretEnv", "idleTimeout", "sessionLifetime"));
        String clientId =
                string(file, "console.clientId", console.get("clientId")).orElse(ConsoleConfig.DEFAULT_CLIENT_ID);
        Optional<String> secret = string(file, "console.clientSecretEnv", console.get("clientSecretEnv"))
                .map(name -> Optional.ofNullable(System.getenv(name))
                        .filter(text -> !text.isBlank())
                        .orElseThrow(() ->
                                new ConfigException(file + ": 'console.clientSecretEnv' names the environment variable "
                                        + name + ", which is not set")));
        Duration idle = string(file, "console.idleTimeout", console.get("idleTimeout"))
                .map(text -> duration(file, "console.idleTimeout", text))
                .orElse(ConsoleConfig.DEFAULT_IDLE_TIMEOUT);
        Duration lifetime = string(file, "console.sessionLifetime", console.get("sessionLifetime"))
                .map(text -> duration(file, "console.sessionLifetime", text))
                .orElse(ConsoleConfig.DEFAULT_SESSION_LIFETIME);
        try {
            return new ConsoleConfig(clientId, secret, idle, lifetime);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(file + ": " + e.getMessage());
        }
    }

    private static AuditConfig audit(Path file, Path base, @Nullable Object value) {
        Map<?, ?> audit = map(
                file,
                "audit",
                value == null ? Map.of() : value,
                Set.of("origin", "signingKeyFile", "witnesses", "checkpointInterval", "publicEntries", "tilesPrefix"));
        Object publicEntries = audit.get("publicEntries");
        if (publicEntries != null && !(publicEntries instanceof Boolean)) {
            throw new ConfigException(file + ": 'audit.publicEntries' must be true or false");
        }
        List<WitnessConfig> witnesses = new ArrayList<>();
        Object listed = audit.get("witnesses");
        if (listed != null && !(listed instanceof List<?>)) {
            throw new ConfigException(file + ": 'audit.witnesses' must be a list of {url, key}");
        }
        for (Object entry : listed == null ? List.<Object>of() : (List<?>) listed) {
            if (!(entry instanceof Map<?, ?>)) {
                throw new ConfigException(file + ": each 'audit.witnesses' entry must be {url: <submission prefix>,"
                        + " key: <its cosignature vkey>}, got '" + entry + "'");
            }
            Map<?, ?> witness = map(file, "audit.witnesses", entry, Set.of("url", "key"));
            String url = string(file, "audit.witnesses.url", witness.get("url"))
                    .orElseThrow(() -> new ConfigException(file + ": an 'audit.witnesses' entry has no url"));
            String key = string(file, "audit.witnesses.key", witness.get("key"))
                    .orElseThrow(() -> new ConfigException(file + ": 'audit.witnesses' entry " + url
                            + " has no key (its cosignature vkey <name>+<keyid>+<base64>)"));
            try {
                witnesses.add(new WitnessConfig(new URI(url), WitnessKey.parse(key)));
            } catch (URISyntaxException e) {
                throw new ConfigException(
                        file + ": 'audit.witnesses' entry '" + url + "' is not a URL: " + e.getMessage());
            } catch (IllegalArgumentException e) {
                throw new ConfigException(file + ": 'audit.witnesses' entry " + url + ": " + e.getMessage());
            }
        }
        String tilesPrefix =
                string(file, "audit.tilesPrefix", audit.get("tilesPrefix")).orElse(AuditConfig.DEFAULT_TILES_PREFIX);
        try {
            AuditConfig.requireValidTilesPrefix(tilesPrefix);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(file + ": " + e.getMessage());
        }
        return new AuditConfig(
                string(file, "audit.origin", audit.get("origin")),
                string(file, "audit.signingKeyFile", audit.get("signingKeyFile"))
                        .map(base::resolve),
                witnesses,
                string(file, "audit.checkpointInterval", audit.get("checkpointInterval"))
                        .map(interval -> duration(file, "audit.checkpointInterval", interval))
                        .orElse(AuditConfig.DEFAULT_CHECKPOINT_INTERVAL),
                Boolean.TRUE.equals(publicEntries),
                tilesPrefix);
    }

    static Map<?, ?> map(Path file, String key, @Nullable Object value, Set<String> known) {
        if (!(value instanceof Map<?, ?> map)) {
            throw new ConfigException(file + ": '" + key + "' must be a mapping");
        }
        for (Object name : map.keySet()) {
            if (!known.contains(String.valueOf(name))) {
                throw new ConfigException(
                        file + ": unknown key '" + name + "' in " + key + "; known keys are " + new TreeSet<>(known));
            }
        }
        return map;
    }

    static Optional<String> string(Path file, String key, @Nullable Object value) {
        if (value == null) {
            return Optional.empty();
        }
        if (value instanceof String || value instanceof Number) {
            return Optional.of(value.toString());
        }
        throw new ConfigException(file + ": '" + key + "' must be a string");
    }

    static Optional<Integer> integer(Path file, String key, @Nullable Object value) {
        if (value == null) {
            return Optional.empty();
        }
        if (value instanceof Integer number) {
            return Optional.of(number);
        }
        throw new ConfigException(file + ": '" + key + "' must be a whole number, got '" + value + "'");
    }

    static Duration duration(Path file, String key, String value) {
        Matcher matcher = DURATION.matcher(value.trim());
        if (!matcher.matches()) {
            throw new ConfigException(
                    file + ": '" + key + "' must be a duration like 90s, 5m or 2h, got '" + value + "'");
        }
        long amount = Long.parseLong(matcher.group(1));
        return switch (matcher.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
        };
    }
}
