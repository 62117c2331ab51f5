package io.countersign.server.config;

import io.countersign.proxy.http.HttpProxyConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The {@code proxies.http} list: the upstreams the HTTP API proxy serves at {@code /proxy/<name>/}.
 * Errors name the key with the entry's position: {@code proxies.http[0].credentials.valueEnv}.
 *
 * <pre>
 * proxies:
 *   http:
 *     - name: github                                 # /proxy/github/...; actions http.github.&lt;method&gt;
 *       upstream: https://api.github.com
 *       credentials: {header: Authorization, prefix: "Bearer ", valueEnv: GITHUB_TOKEN}
 *       # or {basic: ci-user, valueEnv: JENKINS_PASSWORD}, or {query: api_key, valueEnv: MAPS_KEY}
 *       headers: [accept, content-type, x-github-api-version]   # forwarded and decided on; the default list otherwise
 *       maxBodyBytes: 1048576                        # larger bodies are a 413
 *       maxJsonBytes: 65536                          # JSON bodies up to this are parsed for the policy
 *       timeout: 30s                                 # then a 504
 * </pre>
 */
final class HttpProxiesSection {
    private HttpProxiesSection() {}

    static List<HttpProxyConfig> parse(Path file, @Nullable Object value) {
        if (!(value instanceof Map<?, ?> section) || section.get("http") == null) {
            return List.of();
        }
        if (!(section.get("http") instanceof List<?> entries)) {
            throw new ConfigException(file + ": 'proxies.http' must be a list of upstreams");
        }
        List<HttpProxyConfig> proxies = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < entries.size(); i++) {
            HttpProxyConfig proxy = upstream(file, "proxies.http[" + i + "]", entries.get(i));
            if (!names.add(proxy.name())) {
                throw new ConfigException(file + ": 'proxies.http[" + i + "].name' is '" + proxy.name()
                        + "', which an earlier upstream has");
            }
            proxies.add(proxy);
        }
        return List.copyOf(proxies);
    }

    private static HttpProxyConfig upstream(Path file, String key, @Nullable Object value) {
        Map<?, ?> entry = ConfigFile.map(
                file,
                key,
                value,
                Set.of("name", "upstream", "credentials", "headers", "maxBodyBytes", "maxJsonBytes", "timeout"));
        String name = required(file, key + ".name", entry.get("name"));
        String upstreamText = required(file, key + ".upstream", entry.get("upstream"));
        URI upstream;
        try {
            upstream = new URI(upstreamText);
        } catch (URISyntaxException e) {
            throw new ConfigException(file + ": '" + key + ".upstream' is not a URL: " + e.getMessage());
        }
        if (entry.get("credentials") == null) {
            throw new ConfigException(file + ": '" + key + ".credentials' is required (header, basic or query)");
        }
        Map<?, ?> credentials = ConfigFile.map(
                file,
                key + ".credentials",
                entry.get("credentials"),
                Set.of("header", "prefix", "basic", "query", "valueEnv"));
        HttpProxyConfig.Credential credential = credential(file, key + ".credentials", credentials);
        List<String> headers = HttpProxyConfig.DEFAULT_HEADERS;
        if (entry.get("headers") != null) {
            if (!(entry.get("headers") instanceof List<?> listed)) {
                throw new ConfigException(file + ": '" + key + ".headers' must be a list of header names");
            }
            List<String> named = new ArrayList<>();
            for (int i = 0; i < listed.size(); i++) {
                named.add(required(file, key + ".headers[" + i + "]", listed.get(i)));
            }
            headers = named;
        }
        long maxBody = ConfigFile.integer(file, key + ".maxBodyBytes", entry.get("maxBodyBytes"))
                .map(Integer::longValue)
                .orElse(HttpProxyConfig.DEFAULT_MAX_BODY_BYTES);
        long maxJson = ConfigFile.integer(file, key + ".maxJsonBytes", entry.get("maxJsonBytes"))
                .map(Integer::longValue)
                .orElse(Math.min(HttpProxyConfig.DEFAULT_MAX_JSON_BYTES, maxBody));
        Duration timeout = ConfigFile.string(file, key + ".timeout", entry.get("timeout"))
                .map(text -> ConfigFile.duration(file, key + ".timeout", text))
                .orElse(HttpProxyConfig.DEFAULT_TIMEOUT);
        try {
            return new HttpProxyConfig(name, upstream, credential, headers, maxBody, maxJson, timeout);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(file + ": '" + key + "': " + e.getMessage());
        }
    }

    private static HttpProxyConfig.Credential credential(Path file, String key, Map<?, ?> credentials) {
        String valueEnv = required(file, key + ".valueEnv", credentials.get("valueEnv"));
        List<String> kinds = new ArrayList<>();
        for (String kind : List.of("header", "basic", "query")) {
            if (credentials.get(kind) != null) {
                kinds.add(kind);
            }
        }
        if (kinds.size() != 1) {
            throw new ConfigException(file + ": '" + key + "' needs exactly one of header, basic or query; it has "
                    + (kinds.isEmpty() ? "none" : String.join(" and ", kinds)));
        }
        if (credentials.get("prefix") != null && !kinds.getFirst().equals("header")) {
            throw new ConfigException(file + ": '" + key + ".prefix' goes with header only");
        }
        try {
            return switch (kinds.getFirst()) {
                case "header" ->
                    new HttpProxyConfig.Credential.Header(
                            required(file, key + ".header", credentials.get("header")),
                            valueEnv,
                            ConfigFile.string(file, key + ".prefix", credentials.get("prefix"))
                                    .orElse(""));
                case "basic" ->
                    new HttpProxyConfig.Credential.Basic(
                            required(file, key + ".basic", credentials.get("basic")), valueEnv);
                default ->
                    new HttpProxyConfig.Credential.Query(
                            required(file, key + ".query", credentials.get("query")), valueEnv);
            };
        } catch (IllegalArgumentException e) {
            throw new ConfigException(file + ": '" + key + "': " + e.getMessage());
        }
    }

    private static String required(Path file, String key, @Nullable Object value) {
        return ConfigFile.string(file, key, value)
                .filter(text -> !text.isBlank())
                .orElseThrow(() -> new ConfigException(file + ": '" + key + "' is required"));
    }
}
