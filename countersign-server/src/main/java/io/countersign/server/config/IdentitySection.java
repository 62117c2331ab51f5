package io.countersign.server.config;

import io.countersign.identity.Agent;
import io.countersign.identity.Scopes;
import io.countersign.server.identity.ClientAgent;
import io.countersign.server.identity.IdentityConfig;
import io.countersign.server.identity.OidcSettings;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The {@code identity:} section of {@code countersign.yaml}; unknown keys are errors.
 *
 * <pre>
 * identity:
 *   oidc: {issuer: https://login.example.com, audience: countersign, nameClaim: [preferred_username, email], emailClaim: email,
 *          groupsClaim: groups, groupsClaimPaths: refuse, clientIdClaims: [azp, client_id], humanClients: [countersign-console],
 *          requireVerifiedEmail: false, clockSkew: 60s, keysRefresh: 5m}
 *   roles: {admin: [countersign-admins], auditor: [security-auditors]}
 *   agents:                       # OIDC clients that authenticate as agents (client credentials)
 *     - {clientId: ci-pipeline, name: ci, labels: {team: platform}, scopes: ["deploy.*"]}
 *   breakGlass: {group: incident-commanders}
 *   stepUp: {maxAge: 10m}
 * </pre>
 */
final class IdentitySection {
    private static final Set<String> KEYS = Set.of("oidc", "roles", "agents", "breakGlass", "stepUp");
    private static final Set<String> OIDC_KEYS = Set.of(
            "issuer",
            "audience",
            "nameClaim",
            "emailClaim",
            "groupsClaim",
            "clockSkew",
            "clientIdClaims",
            "humanClients",
            "groupsClaimPaths",
            "requireVerifiedEmail",
            "keysRefresh");
    private static final Set<String> ROLE_KEYS = Set.of("admin", "auditor");
    private static final Set<String> AGENT_KEYS = Set.of("clientId", "name", "labels", "scopes");

    private IdentitySection() {}

    static IdentityConfig parse(Path file, @Nullable Object value) {
        IdentityConfig config = IdentityConfig.localOnly();
        if (value == null) {
            return config;
        }
        Map<?, ?> identity = map(file, "identity", value, KEYS);
        try {
            if (identity.get("oidc") != null) {
                config = config.withOidc(oidc(file, map(file, "identity.oidc", identity.get("oidc"), OIDC_KEYS)));
            }
            if (identity.get("roles") != null) {
                Map<?, ?> roles = map(file, "identity.roles", identity.get("roles"), ROLE_KEYS);
                config = config.withRoles(
                        strings(file, "identity.roles.admin", roles.get("admin")),
                        strings(file, "identity.roles.auditor", roles.get("auditor")));
            }
            if (identity.get("agents") != null) {
                config = config.withClientAgents(agents(file, identity.get("agents")));
            }
            if (identity.get("breakGlass") != null) {
                Map<?, ?> breakGlass = map(file, "identity.breakGlass", identity.get("breakGlass"), Set.of("group"));
                config = config.withBreakGlassGroup(
                        required(file, "identity.breakGlass.group", breakGlass.get("group")));
            }
            if (identity.get("stepUp") != null) {
                Map<?, ?> stepUp = map(file, "identity.stepUp", identity.get("stepUp"), Set.of("maxAge"));
                config = config.withStepUpMaxAge(ConfigFile.duration(
                        file,
                        "identity.stepUp.maxAge",
                        required(file, "identity.stepUp.maxAge", stepUp.get("maxAge"))));
            }
            return config;
        } catch (IllegalArgumentException e) {
            throw new ConfigException(file + ": identity: " + e.getMessage());
        }
    }

    private static OidcSettings oidc(Path file, Map<?, ?> oidc) {
        String issuerText = required(file, "identity.oidc.issuer", oidc.get("issuer"));
        URI issuer;
        try {
            issuer = new URI(issuerText);
        } catch (URISyntaxException e) {
            throw new ConfigException(file + ": 'identity.oidc.issuer' is not a URL: " + e.getMessage());
        }
        Duration skew = Optional.ofNullable(oidc.get("clockSkew"))
                .map(skewValue -> ConfigFile.duration(file, "identity.oidc.clockSkew", String.valueOf(skewValue)))
                .orElse(OidcSettings.DEFAULT_CLOCK_SKEW);
        Duration keysRefresh = Optional.ofNullable(oidc.get("keysRefresh"))
                .map(refresh -> ConfigFile.duration(file, "identity.oidc.keysRefresh", String.valueOf(refresh)))
                .orElse(OidcSettings.DEFAULT_KEYS_REFRESH);
        OidcSettings.GroupPaths paths =
                switch (optional(file, "identity.oidc.groupsClaimPaths", oidc.get("groupsClaimPaths"))
                        .orElse("refuse")) {
                    case "refuse" -> OidcSettings.GroupPaths.REFUSE;
                    case "strip" -> OidcSettings.GroupPaths.STRIP;
                    default ->
                        throw new ConfigException(file + ": 'identity.oidc.groupsClaimPaths' is '"
                                + oidc.get("groupsClaimPaths") + "', want refuse or strip");
                };
        Object requireVerified = oidc.get("requireVerifiedEmail");
        if (requireVerified != null && !(requireVerified instanceof Boolean)) {
            throw new ConfigException(file + ": 'identity.oidc.requireVerifiedEmail' must be true or false");
        }
        return new OidcSettings(issuer, required(file, "identity.oidc.audience", oidc.get("audience")))
                .withClaims(
                        oneOrMore(
                                file,
                                "identity.oidc.nameClaim",
                                oidc.get("nameClaim"),
                                OidcSettings.DEFAULT_NAME_CLAIMS),
                        optional(file, "identity.oidc.emailClaim", oidc.get("emailClaim"))
                                .orElse(OidcSettings.DEFAULT_EMAIL_CLAIM),
                        optional(file, "identity.oidc.groupsClaim", oidc.get("groupsClaim"))
                                .orElse(OidcSettings.DEFAULT_GROUPS_CLAIM),
                        oneOrMore(
                                file,
                                "identity.oidc.clientIdClaims",
                                oidc.get("clientIdClaims"),
                                OidcSettings.DEFAULT_CLIENT_ID_CLAIMS))
                .withHumanClients(strings(file, "identity.oidc.humanClients", oidc.get("humanClients")))
                .withGroupsClaimPaths(paths)
                .withRequireVerifiedEmail(Boolean.TRUE.equals(requireVerified))
                .withTiming(skew, keysRefresh);
    }

    /** One string or a list of them, in order; the default when absent. */
    private static List<String> oneOrMore(Path file, String key, @Nullable Object value, List<String> fallback) {
        if (value instanceof String single) {
            return List.of(single);
        }
        return value == null ? fallback : List.copyOf(strings(file, key, value));
    }

    private static List<ClientAgent> agents(Path file, @Nullable Object value) {
        if (!(value instanceof List<?> list)) {
            throw new ConfigException(file + ": 'identity.agents' must be a list");
        }
        List<ClientAgent> agents = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String where = "identity.agents[" + i + "]";
            Map<?, ?> agent = map(file, where, list.get(i), AGENT_KEYS);
            Map<String, String> labels = new LinkedHashMap<>();
            if (agent.get("labels") != null) {
                if (!(agent.get("labels") instanceof Map<?, ?> labelMap)) {
                    throw new ConfigException(file + ": '" + where + ".labels' must be a mapping");
                }
                labelMap.forEach((key, labelValue) -> labels.put(String.valueOf(key), String.valueOf(labelValue)));
            }
            Scopes scopes = agent.get("scopes") == null
                    ? Scopes.UNRESTRICTED
                    : Scopes.of(List.copyOf(strings(file, where + ".scopes", agent.get("scopes"))));
            agents.add(new ClientAgent(
                    required(file, where + ".clientId", agent.get("clientId")),
                    new Agent(required(file, where + ".name", agent.get("name")), labels),
                    scopes));
        }
        return agents;
    }

    private static Map<?, ?> map(Path file, String key, @Nullable Object value, Set<String> known) {
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

    private static String required(Path file, String key, @Nullable Object value) {
        return optional(file, key, value).orElseThrow(() -> new ConfigException(file + ": '" + key + "' is required"));
    }

    private static Optional<String> optional(Path file, String key, @Nullable Object value) {
        if (value == null) {
            return Optional.empty();
        }
        if (value instanceof String || value instanceof Number) {
            return Optional.of(value.toString()).filter(text -> !text.isBlank());
        }
        throw new ConfigException(file + ": '" + key + "' must be a string");
    }

    private static Set<String> strings(Path file, String key, @Nullable Object value) {
        if (value == null) {
            return Set.of();
        }
        if (!(value instanceof List<?> list) || list.stream().anyMatch(item -> !(item instanceof String))) {
            throw new ConfigException(file + ": '" + key + "' must be a list of strings");
        }
        Set<String> strings = new LinkedHashSet<>();
        list.forEach(item -> strings.add((String) item));
        return strings;
    }
}
