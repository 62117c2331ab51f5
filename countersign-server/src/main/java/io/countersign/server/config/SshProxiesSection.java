package io.countersign.server.config;

import io.countersign.proxy.ssh.SshGatewayConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The {@code proxies.ssh} listeners. The gateway's host key and the shell recordings live in the
 * data folder ({@code ssh/<name>-host-key}, {@code ssh-recordings/}); the paths here are resolved
 * against the config file's folder.
 *
 * <pre>
 * proxies:
 *   ssh:
 *     - name: prod-web                       # the resource is ssh/prod-web
 *       listen: 127.0.0.1:2222
 *       upstream: {host: web1.internal, port: 22, user: deploy, keyFile: ./keys/prod-web, knownHosts: ./keys/known_hosts}
 * </pre>
 */
final class SshProxiesSection {
    private SshProxiesSection() {}

    static List<SshGatewayConfig> parse(Path file, Path base, @Nullable Object value) {
        if (value == null) {
            return List.of();
        }
        Object listed = ((Map<?, ?>) value).get("ssh"); // ProxiesSection has checked the section's keys
        if (listed == null) {
            return List.of();
        }
        if (!(listed instanceof List<?> entries)) {
            throw new ConfigException(file + ": 'proxies.ssh' must be a list of listeners");
        }
        List<SshGatewayConfig> gateways = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < entries.size(); i++) {
            String key = "proxies.ssh[" + i + "]";
            SshGatewayConfig gateway = gateway(file, base, key, entries.get(i));
            if (!names.add(gateway.name())) {
                throw new ConfigException(
                        file + ": '" + key + ".name' is '" + gateway.name() + "', which an earlier listener has");
            }
            gateways.add(gateway);
        }
        return List.copyOf(gateways);
    }

    private static SshGatewayConfig gateway(Path file, Path base, String key, @Nullable Object value) {
        Map<?, ?> entry = ConfigFile.map(file, key, value, Set.of("name", "listen", "upstream"));
        String name = ProxiesSection.required(file, key + ".name", entry.get("name"));
        String listen = ProxiesSection.required(file, key + ".listen", entry.get("listen"));
        int colon = listen.lastIndexOf(':');
        if (colon <= 0) {
            throw new ConfigException(
                    file + ": '" + key + ".listen' must be host:port like 127.0.0.1:2222, got '" + listen + "'");
        }
        String host = listen.substring(0, colon).replaceAll("^\\[|]$", "");
        int port = ProxiesSection.port(file, key + ".listen", listen.substring(colon + 1));
        Map<?, ?> upstream = ConfigFile.map(
                file,
                key + ".upstream",
                entry.get("upstream") == null ? Map.of() : entry.get("upstream"),
                Set.of("host", "port", "user", "keyFile", "knownHosts", "timeoutSeconds"));
        try {
            return new SshGatewayConfig(
                    name,
                    host,
                    port,
                    new SshGatewayConfig.Target(
                            ProxiesSection.required(file, key + ".upstream.host", upstream.get("host")),
                            ConfigFile.integer(file, key + ".upstream.port", upstream.get("port"))
                                    .orElse(22),
                            ProxiesSection.required(file, key + ".upstream.user", upstream.get("user")),
                            base.resolve(
                                    ProxiesSection.required(file, key + ".upstream.keyFile", upstream.get("keyFile"))),
                            base.resolve(ProxiesSection.required(
                                    file, key + ".upstream.knownHosts", upstream.get("knownHosts"))),
                            Duration.ofSeconds(ConfigFile.integer(
                                            file, key + ".upstream.timeoutSeconds", upstream.get("timeoutSeconds"))
                                    .orElse(30))),
                    Path.of("ssh", name + "-host-key"),
                    Path.of(SshGatewayConfig.RECORDINGS));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(file + ": '" + key + "': " + e.getMessage());
        }
    }
}
