package io.countersign.server.mcp;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The {@code mcp:} section of {@code countersign.yaml}:
 *
 * <pre>
 * mcp:
 *   servers:
 *     files: {command: npx, args: [-y, "@modelcontextprotocol/server-filesystem", /srv/share], env: {NODE_ENV: production}}
 *     tickets: {url: https://mcp.example.com/mcp, headers: {Authorization: "Bearer ..."}}
 *   sensitive: [files]            # record only SHA-256 and size of these servers' results
 *   callTimeout: 60s              # how long an upstream may take to answer one call
 *   approval: {groups: [mcp-admins], quorum: 1, timeout: 30m}   # approvers when the gateway, not a rule, asks
 *   annotations: defaults         # or ignore: destructiveHint / readOnlyHint decide where no rule matched
 *   pinning: deny                 # or require_approval: what a changed tool's calls get until accepted
 *   elicitation: false            # true: ask clients with URL-mode elicitation while a call is held (stdio, or http: sessions)
 *   http: stateless               # or sessions: /mcp with sessions, so held calls send progress (and elicitation) over HTTP too
 *   toolNames: prefixed           # or unprefixed: several upstreams' tools and prompts keep their own names
 * </pre>
 *
 * Server names are action-name segments ({@code [A-Za-z0-9_-]+}): they become {@code mcp.<server>.<tool>}.
 */
public record McpConfig(
        Map<String, UpstreamConfig> servers,
        Set<String> sensitive,
        Duration callTimeout,
        Optional<Approval> approval,
        boolean annotationDefaults,
        Pinning pinning,
        boolean elicitation,
        HttpMode http,
        ToolNaming toolNames) {
    public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration DEFAULT_APPROVAL_TIMEOUT = Duration.ofMinutes(30);
    private static final Pattern SERVER_NAME = Pattern.compile("[A-Za-z0-9_-]+");

    /** How {@code /mcp} speaks Streamable HTTP. */
    public enum HttpMode {
        /** One JSON answer per POST, no session: any node can serve any call; no progress or elicitation while a call is held. */
        STATELESS("stateless"),
        /** Sessions, and event streams for held calls: progress notifications and elicitation; a session stays on one node. */
        SESSIONS("sessions");

        private final String wireName;

        HttpMode(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }
    }

    /** The names agents see for the tools and prompts of several upstreams. */
    public enum ToolNaming {
        /** {@code server__tool}: no two upstreams' names can meet. */
        PREFIXED("prefixed"),
        /** Each upstream's own names; a name two upstreams share is served by neither. */
        UNPREFIXED("unprefixed");

        private final String wireName;

        ToolNaming(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }
    }

    /** What a changed tool's calls get until an admin accepts its new definition. */
    public enum Pinning {
        DENY("deny"),
        REQUIRE_APPROVAL("require_approval");

        private final String wireName;

        Pinning(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }
    }

    /**
     * Who approves when the gateway itself asks for approval (a destructive tool no rule covers, a
     * changed tool under {@code pinning: require_approval}): {@code quorum} members of {@code groups}
     * within {@code timeout}.
     */
    public record Approval(Set<String> groups, int quorum, Duration timeout) {
        public Approval {
            groups = Set.copyOf(requireNonNull(groups, "groups is null"));
            requireNonNull(timeout, "timeout is null");
            if (groups.isEmpty()) {
                throw new IllegalArgumentException(
                        "mcp.approval.groups is empty; name at least one group of approvers");
            }
            if (quorum < 1) {
                throw new IllegalArgumentException("mcp.approval.quorum is " + quorum + ", want at least 1");
            }
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("mcp.approval.timeout is " + timeout + ", want a positive duration");
            }
        }
    }

    /** Annotations as defaults, changed tools denied, no gateway approvers, no elicitation. */
    public McpConfig(Map<String, UpstreamConfig> servers, Set<String> sensitive, Duration callTimeout) {
        this(
                servers,
                sensitive,
                callTimeout,
                Optional.empty(),
                true,
                Pinning.DENY,
                false,
                HttpMode.STATELESS,
                ToolNaming.PREFIXED);
    }

    public McpConfig {
        servers = Map.copyOf(new LinkedHashMap<>(requireNonNull(servers, "servers is null")));
        sensitive = Set.copyOf(requireNonNull(sensitive, "sensitive is null"));
        requireNonNull(callTimeout, "callTimeout is null");
        requireNonNull(approval, "approval is null");
        requireNonNull(pinning, "pinning is null");
        requireNonNull(http, "http is null");
        requireNonNull(toolNames, "toolNames is null");
        if (pinning == Pinning.REQUIRE_APPROVAL && approval.isEmpty()) {
            throw new IllegalArgumentException("mcp.pinning is require_approval but mcp.approval names no approvers");
        }
        for (String name : servers.keySet()) {
            if (!SERVER_NAME.matcher(name).matches() || name.contains("__")) {
                throw new IllegalArgumentException(
                        "mcp server name '" + name + "' must be letters, digits, '_' or '-' (no '__')");
            }
        }
        for (String name : sensitive) {
            if (!servers.containsKey(name)) {
                throw new IllegalArgumentException("mcp.sensitive names '" + name + "', which is not in mcp.servers "
                        + new TreeSet<>(servers.keySet()));
            }
        }
        if (callTimeout.isNegative() || callTimeout.isZero()) {
            throw new IllegalArgumentException("mcp.callTimeout is " + callTimeout + ", want a positive duration");
        }
    }

    public static McpConfig none() {
        return new McpConfig(Map.of(), Set.of(), DEFAULT_CALL_TIMEOUT);
    }

    public McpConfig withApproval(Approval approval) {
        return new McpConfig(
                servers,
                sensitive,
                callTimeout,
                Optional.of(approval),
                annotationDefaults,
                pinning,
                elicitation,
                http,
                toolNames);
    }

    public McpConfig withPinning(Pinning pinning) {
        return new McpConfig(
                servers, sensitive, callTimeout, approval, annotationDefaults, pinning, elicitation, http, toolNames);
    }

    public McpConfig withHttp(HttpMode http) {
        return new McpConfig(
                servers, sensitive, callTimeout, approval, annotationDefaults, pinning, elicitation, http, toolNames);
    }

    public McpConfig withElicitation(boolean elicitation) {
        return new McpConfig(
                servers, sensitive, callTimeout, approval, annotationDefaults, pinning, elicitation, http, toolNames);
    }

    public McpConfig withToolNames(ToolNaming toolNames) {
        return new McpConfig(
                servers, sensitive, callTimeout, approval, annotationDefaults, pinning, elicitation, http, toolNames);
    }

    public boolean enabled() {
        return !servers.isEmpty();
    }

    /**
     * Parses the section; errors name the file and key. {@code durations} parses a duration string
     * the way the rest of the file does.
     */
    public static McpConfig parse(Path file, @Nullable Object value, BiFunction<String, String, Duration> durations) {
        if (value == null) {
            return none();
        }
        Map<?, ?> mcp = map(
                file,
                "mcp",
                value,
                Set.of(
                        "servers",
                        "sensitive",
                        "callTimeout",
                        "approval",
                        "annotations",
                        "pinning",
                        "elicitation",
                        "http",
                        "toolNames"));
        Map<String, UpstreamConfig> servers = new LinkedHashMap<>();
        Object listed = mcp.get("servers");
        if (listed != null) {
            for (Map.Entry<?, ?> entry : map(file, "mcp.servers", listed, null).entrySet()) {
                String name = String.valueOf(entry.getKey());
                String key = "mcp.servers." + name;
                Map<?, ?> server = map(file, key, entry.getValue(), Set.of("command", "args", "env", "url", "headers"));
                if (server.containsKey("command") == server.containsKey("url")) {
                    throw new McpConfigException(
                            file + ": '" + key + "' needs exactly one of 'command' (stdio) or 'url' (Streamable HTTP)");
                }
                if (server.containsKey("command")) {
                    if (server.containsKey("headers")) {
                        throw new McpConfigException(
                                file + ": '" + key + ".headers' is for 'url' servers; a command gets 'env'");
                    }
                    servers.put(
                            name,
                            new UpstreamConfig.Stdio(
                                    string(file, key + ".command", server.get("command")),
                                    strings(file, key + ".args", server.get("args")),
                                    stringMap(file, key + ".env", server.get("env"))));
                } else {
                    if (server.containsKey("args") || server.containsKey("env")) {
                        throw new McpConfigException(
                                file + ": '" + key + "' has 'args' or 'env', which are for 'command' servers");
                    }
                    String url = string(file, key + ".url", server.get("url"));
                    try {
                        URI uri = new URI(url);
                        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
                            throw new McpConfigException(
                                    file + ": '" + key + ".url' is '" + url + "', want an http or https URL");
                        }
                        servers.put(
                                name,
                                new UpstreamConfig.Http(uri, stringMap(file, key + ".headers", server.get("headers"))));
                    } catch (URISyntaxException e) {
                        throw new McpConfigException(file + ": '" + key + ".url' is not a URL: " + e.getMessage());
                    }
                }
            }
        }
        Duration timeout = mcp.get("callTimeout") == null
                ? DEFAULT_CALL_TIMEOUT
                : durations.apply("mcp.callTimeout", string(file, "mcp.callTimeout", mcp.get("callTimeout")));
        Optional<Approval> approval = Optional.empty();
        if (mcp.get("approval") != null) {
            Map<?, ?> section = map(file, "mcp.approval", mcp.get("approval"), Set.of("groups", "quorum", "timeout"));
            int quorum;
            try {
                quorum = section.get("quorum") == null
                        ? 1
                        : Integer.parseInt(string(file, "mcp.approval.quorum", section.get("quorum")));
            } catch (NumberFormatException e) {
                throw new McpConfigException(file + ": 'mcp.approval.quorum' must be a whole number");
            }
            Duration approvalTimeout = section.get("timeout") == null
                    ? DEFAULT_APPROVAL_TIMEOUT
                    : durations.apply(
                            "mcp.approval.timeout", string(file, "mcp.approval.timeout", section.get("timeout")));
            try {
                approval = Optional.of(new Approval(
                        Set.copyOf(strings(file, "mcp.approval.groups", section.get("groups"))),
                        quorum,
                        approvalTimeout));
            } catch (IllegalArgumentException e) {
                throw new McpConfigException(file + ": " + e.getMessage());
            }
        }
        String annotations =
                mcp.get("annotations") == null ? "defaults" : string(file, "mcp.annotations", mcp.get("annotations"));
        if (!annotations.equals("defaults") && !annotations.equals("ignore")) {
            throw new McpConfigException(
                    file + ": 'mcp.annotations' is '" + annotations + "', want defaults or ignore");
        }
        Pinning mode =
                choice(file, "mcp.pinning", mcp.get("pinning"), Pinning.DENY, Pinning.values(), Pinning::wireName);
        Object elicitation = mcp.get("elicitation");
        if (elicitation != null && !(elicitation instanceof Boolean)) {
            throw new McpConfigException(file + ": 'mcp.elicitation' must be true or false");
        }
        HttpMode httpMode =
                choice(file, "mcp.http", mcp.get("http"), HttpMode.STATELESS, HttpMode.values(), HttpMode::wireName);
        try {
            return new McpConfig(
                    servers,
                    Set.copyOf(strings(file, "mcp.sensitive", mcp.get("sensitive"))),
                    timeout,
                    approval,
                    annotations.equals("defaults"),
                    mode,
                    Boolean.TRUE.equals(elicitation),
                    httpMode,
                    choice(
                            file,
                            "mcp.toolNames",
                            mcp.get("toolNames"),
                            ToolNaming.PREFIXED,
                            ToolNaming.values(),
                            ToolNaming::wireName));
        } catch (IllegalArgumentException e) {
            throw new McpConfigException(file + ": " + e.getMessage());
        }
    }

    private static Map<?, ?> map(Path file, String key, @Nullable Object value, @Nullable Set<String> known) {
        if (!(value instanceof Map<?, ?> map)) {
            throw new McpConfigException(file + ": '" + key + "' must be a mapping");
        }
        if (known != null) {
            for (Object name : map.keySet()) {
                if (!known.contains(String.valueOf(name))) {
                    throw new McpConfigException(file + ": unknown key '" + name + "' in " + key + "; known keys are "
                            + new TreeSet<>(known));
                }
            }
        }
        return map;
    }

    /** One of {@code values} by its wire name, or {@code fallback} when the key is absent; another name is an error naming the choices. */
    private static <E> E choice(
            Path file, String key, @Nullable Object value, E fallback, E[] values, Function<E, String> wireName) {
        if (value == null) {
            return fallback;
        }
        String named = string(file, key, value);
        return java.util.Arrays.stream(values)
                .filter(candidate -> wireName.apply(candidate).equals(named))
                .findFirst()
                .orElseThrow(() -> new McpConfigException(file + ": '" + key + "' is '" + named + "', want "
                        + String.join(
                                " or ",
                                java.util.Arrays.stream(values).map(wireName).toList())));
    }

    private static String string(Path file, String key, @Nullable Object value) {
        if (value instanceof String || value instanceof Number || value instanceof Boolean) {
            return value.toString();
        }
        throw new McpConfigException(file + ": '" + key + "' must be a string");
    }

    private static List<String> strings(Path file, String key, @Nullable Object value) {
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list)) {
            throw new McpConfigException(file + ": '" + key + "' must be a list of strings");
        }
        List<String> out = new ArrayList<>();
        for (Object item : list) {
            out.add(string(file, key, item));
        }
        return out;
    }

    private static Map<String, String> stringMap(Path file, String key, @Nullable Object value) {
        if (value == null) {
            return Map.of();
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> entry : map(file, key, value, null).entrySet()) {
            out.put(String.valueOf(entry.getKey()), string(file, key + "." + entry.getKey(), entry.getValue()));
        }
        return out;
    }

    /** A bad {@code mcp:} section; {@code ConfigFile} turns it into its own error type. */
    public static final class McpConfigException extends RuntimeException {
        public McpConfigException(String message) {
            super(message);
        }
    }
}
