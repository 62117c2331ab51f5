package io.countersign.server.config;

import io.countersign.proxy.postgres.PostgresProxyConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The {@code proxies:} section: the enforcing proxies {@code countersign serve} starts beside the
 * API. Errors name the key, with the listener's position: {@code proxies.postgres[0].upstream.port}.
 *
 * <pre>
 * proxies:
 *   postgres:
 *     - name: main                                  # part of every resource: pg/main/&lt;database&gt;/&lt;schema&gt;.&lt;table&gt;
 *       listen: 127.0.0.1:6432                      # a non-loopback address needs tls
 *       upstream: {host: db.internal, port: 5432, database: app, user: countersign_proxy, passwordEnv: APP_DB_PASSWORD, sslmode: disable}
 *       tls: {certFile: ./proxy.crt, keyFile: ./proxy.key}   # PEM; optional on loopback
 *       unparsed: deny                              # or require_approval
 * </pre>
 */
final class ProxiesSection {
    private ProxiesSection() {}

    static List<PostgresProxyConfig> parse(Path file, Path base, @Nullable Object value) {
        if (value == null) {
            return List.of();
        }
        Map<?, ?> section = ConfigFile.map(file, "proxies", value, Set.of("postgres", "http", "ssh"));
        Object listed = section.get("postgres");
        if (listed == null) {
            return List.of();
        }
        if (!(listed instanceof List<?> entries)) {
            throw new ConfigException(file + ": 'proxies.postgres' must be a list of listeners");
        }
        List<PostgresProxyConfig> proxies = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < entries.size(); i++) {
            PostgresProxyConfig proxy = postgres(file, base, "proxies.postgres[" + i + "]", entries.get(i));
            if (!names.add(proxy.name())) {
                throw new ConfigException(file + ": 'proxies.postgres[" + i + "].name' is '" + proxy.name()
                        + "', which an earlier listener has");
            }
            proxies.add(proxy);
        }
        return List.copyOf(proxies);
    }

    private static PostgresProxyConfig postgres(Path file, Path base, String key, @Nullable Object value) {
        Map<?, ?> entry = ConfigFile.map(file, key, value, Set.of("name", "listen", "upstream", "tls", "unparsed"));
        String name = required(file, key + ".name", entry.get("name"));
        String listen = required(file, key + ".listen", entry.get("listen"));
        int colon = listen.lastIndexOf(':');
        if (colon <= 0) {
            throw new ConfigException(
                    file + ": '" + key + ".listen' must be host:port like 127.0.0.1:6432, got '" + listen + "'");
        }
        String host = listen.substring(0, colon).replaceAll("^\\[|]$", "");
        int port = port(file, key + ".listen", listen.substring(colon + 1));
        Map<?, ?> upstream = ConfigFile.map(
                file,
                key + ".upstream",
                entry.get("upstream") == null ? Map.of() : entry.get("upstream"),
                Set.of("host", "port", "database", "user", "passwordEnv", "sslmode"));
        String sslmode = ConfigFile.string(file, key + ".upstream.sslmode", upstream.get("sslmode"))
                .orElse("disable");
        PostgresProxyConfig.SslMode mode = PostgresProxyConfig.SslMode.fromWireName(sslmode)
                .orElseThrow(() -> new ConfigException(
                        file + ": '" + key + ".upstream.sslmode' is '" + sslmode + "'; want disable or verify-full"));
        String database = required(file, key + ".upstream.database", upstream.get("database"));
        if (!database.matches("[A-Za-z0-9_-]{1,63}")) {
            throw new ConfigException(file + ": '" + key + ".upstream.database' is '" + database
                    + "'; want letters, digits, '_' or '-' (it is part of every resource)");
        }
        PostgresProxyConfig.UpstreamSettings settings = new PostgresProxyConfig.UpstreamSettings(
                required(file, key + ".upstream.host", upstream.get("host")),
                ConfigFile.integer(file, key + ".upstream.port", upstream.get("port"))
                        .orElse(5432),
                database,
                required(file, key + ".upstream.user", upstream.get("user")),
                required(file, key + ".upstream.passwordEnv", upstream.get("passwordEnv")),
                mode);
        Optional<PostgresProxyConfig.TlsFiles> tls = Optional.empty();
        if (entry.get("tls") != null) {
            Map<?, ?> files = ConfigFile.map(file, key + ".tls", entry.get("tls"), Set.of("certFile", "keyFile"));
            tls = Optional.of(new PostgresProxyConfig.TlsFiles(
                    base.resolve(required(file, key + ".tls.certFile", files.get("certFile")))
                            .normalize(),
                    base.resolve(required(file, key + ".tls.keyFile", files.get("keyFile")))
                            .normalize()));
        }
        String unparsed = ConfigFile.string(file, key + ".unparsed", entry.get("unparsed"))
                .orElse("deny");
        PostgresProxyConfig.Unparsed onUnparsed =
                switch (unparsed.toLowerCase(Locale.ROOT)) {
                    case "deny" -> PostgresProxyConfig.Unparsed.DENY;
                    case "require_approval" -> PostgresProxyConfig.Unparsed.REQUIRE_APPROVAL;
                    default ->
                        throw new ConfigException(
                                file + ": '" + key + ".unparsed' is '" + unparsed + "'; want deny or require_approval");
                };
        try {
            return new PostgresProxyConfig(name, host, port, settings, tls, onUnparsed);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(file + ": '" + key + "': " + e.getMessage());
        }
    }

    static String required(Path file, String key, @Nullable Object value) {
        return ConfigFile.string(file, key, value)
                .filter(text -> !text.isBlank())
                .orElseThrow(() -> new ConfigException(file + ": '" + key + "' is required"));
    }

    static int port(Path file, String key, String text) {
        try {
            int port = Integer.parseInt(text);
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new ConfigException(file + ": '" + key + "' has port '" + text + "'; want 0 to 65535");
    }
}
