package io.countersign.server.identity;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jwt.JWTClaimsSet;
import io.countersign.identity.Agent;
import io.countersign.identity.ApiTokens;
import io.countersign.identity.Human;
import io.countersign.identity.KeyCheck;
import io.countersign.identity.Principal;
import io.countersign.identity.StoredCredential;
import io.countersign.server.http.Access;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Turns a bearer token into a {@link Caller}. Tokens shaped like our API keys ({@code csa_},
 * {@code csh_}) go to {@link ApiTokens}; JWTs go to the OIDC provider, when one is configured, and
 * {@link OidcCallers} says whom they stand for: a registered agent (client credentials), a human
 * (a token of a client people use), or a human's token someone else holds, which holds no roles.
 * Roles come from groups, whichever way the human signed in.
 */
public final class BearerTokens {
    private final ApiTokens apiTokens;
    private final Optional<OidcVerifier> oidc;
    private final IdentityConfig config;
    private final Optional<OidcCallers> callers;

    /** {@code lookAlikes}: refuses a provider's person who looks like a local human without being them. */
    public BearerTokens(
            ApiTokens apiTokens, Optional<OidcVerifier> oidc, IdentityConfig config, LookAlikes lookAlikes) {
        requireNonNull(lookAlikes, "lookAlikes is null");
        this.apiTokens = requireNonNull(apiTokens, "apiTokens is null");
        this.oidc = requireNonNull(oidc, "oidc is null");
        this.config = requireNonNull(config, "config is null");
        Map<String, ClientAgent> clients = config.clientAgents().stream()
                .collect(Collectors.toUnmodifiableMap(ClientAgent::subject, Function.identity()));
        this.callers = oidc.map(verifier -> new OidcCallers(verifier.settings(), clients, this::rolesOf, lookAlikes));
    }

    /** @throws TokenRejected saying why, for anything we do not accept */
    public Caller authenticate(String token) throws TokenRejected {
        requireNonNull(token, "token is null");
        if (ApiTokens.looksLikeApiToken(token)) {
            return switch (apiTokens.check(token)) {
                case KeyCheck.Valid valid -> fromCredential(valid.credential());
                case KeyCheck.Refused refused -> throw new TokenRejected(refused.reason());
            };
        }
        if (OidcVerifier.looksLikeJwt(token)) {
            OidcVerifier verifier = oidc.orElseThrow(() -> new TokenRejected(
                    "this gateway has no identity provider configured; use an API key or a local token"));
            return fromClaims(verifier.verify(token));
        }
        throw new TokenRejected("the bearer token is neither an API key, a local token, nor a JWT");
    }

    /**
     * The human a verified token names, whoever holds it (for delegation proofs and the console's
     * sign-in); empty for a client's own token (client credentials).
     */
    public Optional<Human> humanOf(JWTClaimsSet claims) throws TokenRejected {
        OidcCallers mapping =
                callers.orElseThrow(() -> new TokenRejected("this gateway has no identity provider configured"));
        return mapping.humanOf(claims);
    }

    public Optional<OidcVerifier> oidc() {
        return oidc;
    }

    public Set<Access> rolesOf(Principal principal) {
        return switch (principal) {
            case Agent agent -> Set.of(Access.AGENT);
            case Human human -> {
                Set<Access> roles = EnumSet.of(Access.HUMAN);
                if (human.isMemberOfAny(config.adminGroups())) {
                    roles.add(Access.ADMIN);
                }
                if (human.isMemberOfAny(config.auditorGroups())) {
                    roles.add(Access.AUDITOR);
                }
                yield roles;
            }
        };
    }

    private Caller fromCredential(StoredCredential credential) {
        Principal principal = credential.principal();
        Caller.Method method = principal instanceof Agent ? Caller.Method.API_KEY : Caller.Method.LOCAL_TOKEN;
        Set<Access> roles = EnumSet.copyOf(rolesOf(principal));
        if (principal instanceof Human human) {
            roles.addAll(LocalRoles.access(human)); // only a local token carries local roles
        }
        return new Caller(principal, method, credential.scopes(), Optional.empty(), roles, Optional.empty());
    }

    private Caller fromClaims(JWTClaimsSet claims) throws TokenRejected {
        return callers.orElseThrow().caller(claims);
    }
}
