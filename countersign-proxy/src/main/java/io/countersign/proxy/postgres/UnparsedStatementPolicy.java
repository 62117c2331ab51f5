package io.countersign.proxy.postgres;

import static java.util.Objects.requireNonNull;

import io.countersign.policy.Decision;
import io.countersign.policy.DecisionInput;
import io.countersign.policy.Effect;
import io.countersign.policy.PolicyEngine;
import java.util.List;
import java.util.Map;

/**
 * The policy the PostgreSQL proxies decide through: the gateway's policy, except for SQL the parser
 * could not read ({@code sql.unparsed}). With {@code unparsed: deny} such a statement is denied
 * whatever the policy says; with {@code require_approval} the policy must require a human for it,
 * and a policy that would allow it outright is overruled with a denial (deny on doubt).
 */
public final class UnparsedStatementPolicy implements PolicyEngine {
    private final PolicyEngine policy;
    private final Map<String, PostgresProxyConfig.Unparsed> byProxy;

    public UnparsedStatementPolicy(PolicyEngine policy, List<PostgresProxyConfig> proxies) {
        this.policy = requireNonNull(policy, "policy is null");
        this.byProxy = proxies.stream()
                .collect(java.util.stream.Collectors.toUnmodifiableMap(
                        PostgresProxyConfig::name, PostgresProxyConfig::unparsed));
    }

    @Override
    public Decision decide(DecisionInput input) {
        if (!StatementActions.UNPARSED.equals(input.action().action())) {
            return policy.decide(input);
        }
        String resource = input.action().resource();
        String proxy = resource.startsWith("pg/") ? resource.substring(3, Math.max(3, resource.indexOf('/', 3))) : "";
        PostgresProxyConfig.Unparsed setting = byProxy.getOrDefault(proxy, PostgresProxyConfig.Unparsed.DENY);
        String rule = "proxies.postgres." + proxy + ".unparsed";
        if (setting == PostgresProxyConfig.Unparsed.DENY) {
            return new Decision(
                    Effect.DENY,
                    List.of(rule),
                    "the SQL parser could not read the statement, and unparsed statements are denied",
                    policy.version(),
                    List.of());
        }
        Decision decided = policy.decide(input);
        if (decided.effect() == Effect.ALLOW) {
            return new Decision(
                    Effect.DENY,
                    List.of(rule),
                    "the SQL parser could not read the statement; it needs a human's approval, "
                            + "but no policy rule requires one for sql.unparsed",
                    policy.version(),
                    List.of());
        }
        return decided;
    }

    @Override
    public String version() {
        return policy.version();
    }

    @Override
    public List<io.countersign.policy.Breaker> breakers() {
        return policy.breakers();
    }
}
