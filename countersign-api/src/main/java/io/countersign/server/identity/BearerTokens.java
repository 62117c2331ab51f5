package io.countersign.server.identity;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jwt.JWTClaimsSet;
import io.countersign.identity.Agent;
import io.countersign.identity.ApiTokens;
import io.countersign.identity.Human;
import io.countersign.identity.KeyCheck;
import io.countersign.identity.Principal;
import io.countersign.identity.Scopes;
import io.countersign.identity.StoredCredential;
import io.countersign.server.http.Access;
import java.text.ParseException;
import java.time.Instant;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Turns a bearer token into a {@link Caller}. Tokens shaped like our API keys ({@code csa_},
 * {@code csh_}) go to {@link ApiTokens}; JWTs go to the OIDC provider, when one is configured. A
 * verified token whose {@code sub} is a client registered as an agent authenticates that agent;
 * any other verified token is a human, named, mailed and grouped by the configured claims.
 * Roles come from groups, whichever way the human signed in.
 */
public final class BearerTokens {
    private final ApiTokens apiTokens;
    private final Optional<OidcVerifier> oidc;
    private final IdentityConfig config;
    private final Map<String, ClientAgent> clientsBySubject;

    public BearerTokens(ApiTokens apiTokens, Optional<OidcVerifier> oidc, IdentityConfig config) {
        this.apiTokens = requireNonNull(apiTokens, "apiTokens is null");
        this.oidc = requireNonNull(oidc, "oidc is null");
        this.config = requireNonNull(config, "config is null");
        this.clientsBySubject = config.clientAgents().stream().collect(Collectors.toUnmodifiableMap(ClientAgent::subject, Function.identity()));
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
            OidcVerifier verifier = oidc.orElseThrow(() -> new TokenRejected("this gateway has no identity provider configured; use an API key or a local token"));
            return fromClaims(verifier.verify(token));
        }
        throw new TokenRejected("the bearer token is neither an API key, a local token, nor a JWT");
    }

    /** The human a verified token names, for delegation; empty when it is a registered client's token. */
    public Optional<Human> humanOf(JWTClaimsSet claims) throws TokenRejected {
        return fromClaims(claims).principal() instanceof Human human ? Optional.of(human) : Optional.empty();
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
        ClientAgent client = clientsBySubject.get(claims.getSubject());
        if (client != null) {
            return new Caller(client.agent(), Caller.Method.OIDC, client.scopes(), Optional.empty(), Set.of(Access.AGENT), Optional.of(client.subject()));
        }
        OidcSettings settings = oidc.orElseThrow().settings();
        String name = stringClaim(claims, settings.nameClaim())
                .orElseThrow(() -> new TokenRejected("the token has no '" + settings.nameClaim() + "' claim to name the human by"));
        String email = stringClaim(claims, settings.emailClaim()).orElse("");
        Human human = new Human(name, email, groups(claims, settings.groupsClaim()));
        Optional<Instant> signedInAt = Optional.ofNullable(claims.getClaim("auth_time")).flatMap(BearerTokens::epochSeconds);
        return new Caller(human, Caller.Method.OIDC, Scopes.UNRESTRICTED, signedInAt, rolesOf(human), Optional.empty());
    }

    private static Optional<String> stringClaim(JWTClaimsSet claims, String name) throws TokenRejected {
        try {
            return Optional.ofNullable(claims.getStringClaim(name)).filter(value -> !value.isBlank());
        } catch (ParseException e) {
            throw new TokenRejected("the token's '" + name + "' claim is not a string");
        }
    }

    /** A list of strings, or one string; anything else in the claim is not a group name and is left out. */
    private static Set<String> groups(JWTClaimsSet claims, String name) {
        Object value = claims.getClaim(name);
        Set<String> groups = new LinkedHashSet<>();
        if (value instanceof String single) {
            groups.add(single);
        } else if (value instanceof Collection<?> many) {
            many.stream().filter(String.class::isInstance).map(String.class::cast).forEach(groups::add);
        }
        return groups;
    }

    private static Optional<Instant> epochSeconds(Object value) {
        if (value instanceof java.util.Date date) {
            return Optional.of(date.toInstant());
        }
        if (value instanceof Number number) {
            return Optional.of(Instant.ofEpochSecond(number.longValue()));
        }
        return Optional.empty();
    }
}
