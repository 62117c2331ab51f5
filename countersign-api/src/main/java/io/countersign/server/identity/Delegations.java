package io.countersign.server.identity;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jwt.JWTClaimsSet;
import io.countersign.action.Action;
import io.countersign.identity.Agent;
import io.countersign.identity.Delegation;
import io.countersign.identity.Human;
import io.countersign.identity.Person;
import java.util.Map;
import java.util.Optional;

/**
 * Decides whether an agent's {@code onBehalfOf} is merely claimed or verified. Verified means the
 * agent also sent, in {@value #HEADER}, a token from our identity provider, for our audience, that
 * names that human: either the human's own token, or an RFC 8693 token-exchange token whose
 * {@code act} claim names this agent (by name, or by its OIDC client id). A token that does not
 * verify, or names someone else, refuses the request rather than quietly downgrading it to
 * claimed: the agent meant to prove something and could not.
 */
public final class Delegations {
    public static final String HEADER = "X-Countersign-On-Behalf-Of-Token";

    private final BearerTokens tokens;

    public Delegations(BearerTokens tokens) {
        this.tokens = requireNonNull(tokens, "tokens is null");
    }

    /** Why a presented delegation token was refused; safe to show to the agent. */
    public static final class Refused extends Exception {
        public Refused(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * How onBehalfOf is backed, and, when verified, the person the token names: the request then
     * resolves to them (by the token's subject), not to whoever else the spelling might match.
     */
    public record Backing(Delegation delegation, Optional<Person> verified) {
        public Backing {
            requireNonNull(delegation, "delegation is null");
            requireNonNull(verified, "verified is null");
        }
    }

    public Backing of(Agent agent, Optional<String> clientId, Action action, Optional<String> token) throws Refused {
        requireNonNull(agent, "agent is null");
        requireNonNull(action, "action is null");
        if (token.isEmpty()) {
            return new Backing(Delegation.claimedOrNone(action.onBehalfOf().isPresent()), Optional.empty());
        }
        String onBehalfOf = action.onBehalfOf()
                .orElseThrow(() -> new Refused(HEADER + " was sent, but the action names no onBehalfOf"));
        OidcVerifier verifier = tokens.oidc()
                .orElseThrow(() ->
                        new Refused(HEADER + " needs an identity provider (identity.oidc), and this gateway has none"));
        JWTClaimsSet claims;
        Human human;
        try {
            claims = verifier.verify(token.get());
            human = tokens.humanOf(claims)
                    .orElseThrow(() -> new Refused(HEADER + " is a client's token, not a human's"));
        } catch (TokenRejected e) {
            throw new Refused(HEADER + ": " + e.getMessage());
        }
        if (!human.isNamedBy(onBehalfOf)) {
            throw new Refused(
                    HEADER + " is for " + human.name() + (human.email().isEmpty() ? "" : " <" + human.email() + ">")
                            + ", not for onBehalfOf '" + onBehalfOf + "'");
        }
        Object act = claims.getClaim("act");
        if (act != null) {
            Object actor = act instanceof Map<?, ?> map ? map.get("sub") : null;
            boolean thisAgent = actor instanceof String sub
                    && (sub.equals(agent.name()) || clientId.filter(sub::equals).isPresent());
            if (!thisAgent) {
                throw new Refused(HEADER + " delegates to actor '" + actor + "', not to agent " + agent.name());
            }
        }
        return new Backing(Delegation.VERIFIED, Optional.of(human.person()));
    }
}
