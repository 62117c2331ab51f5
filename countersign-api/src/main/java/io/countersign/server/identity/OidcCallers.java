package io.countersign.server.identity;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jwt.JWTClaimsSet;
import io.countersign.identity.Human;
import io.countersign.identity.Scopes;
import io.countersign.server.http.Access;
import java.text.ParseException;
import java.time.Instant;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Who a verified token from the provider stands for. Three kinds of token reach us:
 *
 * <ul>
 *   <li>a client's own token, without a user (client credentials): a registered agent, or nobody
 *       (a 401), never a human;
 *   <li>a person's token issued to a client people use ({@code humanClients}): that human, with
 *       the roles of their groups;
 *   <li>a person's token someone else holds: issued to an agent's client or any client not named
 *       for humans (RFC 8693 token exchange gives the exchanging client's id in {@code azp}), or
 *       carrying {@code act} (any delegation). It names the human, which is what delegation
 *       proofs need, and holds no roles: it never approves, denies, breaks glass or reads the inbox.
 * </ul>
 *
 * The client is read from the first of {@code clientIdClaims} present ({@code azp}, then
 * {@code client_id}). The person is named by the first of {@code nameClaims} present; an email
 * counts only while the provider doesn't say it is unverified.
 */
final class OidcCallers {
    private final OidcSettings settings;
    private final Map<String, ClientAgent> agents;
    private final Function<Human, Set<Access>> roles;
    private final LookAlikes lookAlikes;

    OidcCallers(
            OidcSettings settings,
            Map<String, ClientAgent> agents,
            Function<Human, Set<Access>> roles,
            LookAlikes lookAlikes) {
        this.lookAlikes = requireNonNull(lookAlikes, "lookAlikes is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.agents = Map.copyOf(requireNonNull(agents, "agents is null"));
        this.roles = requireNonNull(roles, "roles is null");
    }

    Caller caller(JWTClaimsSet claims) throws TokenRejected {
        Optional<String> client = clientId(claims);
        Optional<ClientAgent> agent = agentOf(claims, client);
        boolean userless = withoutUser(claims, client);
        if (agent.isPresent() && userless) {
            ClientAgent registered = agent.get();
            return new Caller(
                    registered.agent(),
                    Caller.Method.OIDC,
                    registered.scopes(),
                    Optional.empty(),
                    Set.of(Access.AGENT),
                    Optional.of(registered.subject()));
        }
        if (userless) {
            throw new TokenRejected(
                    "the token was issued to client " + client.orElse(claims.getSubject())
                            + " without a user (client credentials); such a token is never a human's. To let it act as an agent, list it under identity.agents");
        }
        Human human = human(claims);
        Optional<String> heldBySomeoneElse = heldBySomeoneElse(claims, client, agent, human);
        if (heldBySomeoneElse.isPresent()) {
            return Caller.withoutRoles(human, heldBySomeoneElse.get());
        }
        Optional<Instant> signedInAt =
                Optional.ofNullable(claims.getClaim("auth_time")).flatMap(OidcCallers::epochSeconds);
        return new Caller(
                human, Caller.Method.OIDC, Scopes.UNRESTRICTED, signedInAt, roles.apply(human), Optional.empty());
    }

    /** The human a token names, whoever holds it; empty for a client's own token (client credentials). */
    Optional<Human> humanOf(JWTClaimsSet claims) throws TokenRejected {
        return withoutUser(claims, clientId(claims)) ? Optional.empty() : Optional.of(human(claims));
    }

    private Optional<String> heldBySomeoneElse(
            JWTClaimsSet claims, Optional<String> client, Optional<ClientAgent> agent, Human human) {
        String whose = "a token of " + human.name() + " ";
        String never =
                ": a token an agent or another client holds never casts a person's vote; sign in to the console or use a token of "
                        + new TreeSet<>(settings.humanClients());
        Object act = claims.getClaim("act");
        if (act != null) {
            Object actor = act instanceof Map<?, ?> map ? map.get("sub") : act;
            return Optional.of(whose + "delegated to '" + actor + "' (it carries act)" + never);
        }
        if (agent.isPresent()) {
            return Optional.of(
                    whose + "issued to client " + client.orElse(claims.getSubject()) + ", the client of agent "
                            + agent.get().agent().name() + " (token exchange or delegation)" + never);
        }
        if (client.isEmpty()) {
            return Optional.of(whose + "that names no client (" + String.join(", ", settings.clientIdClaims())
                    + "), so it can't be told from one an agent holds" + never);
        }
        if (!settings.humanClients().contains(client.get())) {
            return Optional.of(whose + "issued to client " + client.get()
                    + ", which is not one of identity.oidc.humanClients" + never);
        }
        return Optional.empty();
    }

    private Human human(JWTClaimsSet claims) throws TokenRejected {
        Optional<String> email = verifiedEmail(claims);
        Optional<String> name = Optional.empty();
        for (String claim : settings.nameClaims()) {
            name = claim.equals(settings.emailClaim()) ? email : stringClaim(claims, claim);
            if (name.isPresent()) {
                break;
            }
        }
        if (name.isEmpty()) {
            boolean unverified = stringClaim(claims, settings.emailClaim()).isPresent() && email.isEmpty();
            throw new TokenRejected("the token names no one: it has none of " + settings.nameClaims()
                    + (unverified ? " (its email is not verified, so it counts as absent)" : ""));
        }
        Human human = new Human(name.get(), email.orElse(""), groups(claims));
        lookAlikes.check(human);
        return human;
    }

    /** The email, unless the provider says it is unverified (or, with requireVerifiedEmail, doesn't say it is verified). */
    private Optional<String> verifiedEmail(JWTClaimsSet claims) throws TokenRejected {
        Optional<String> email = stringClaim(claims, settings.emailClaim());
        Object verified = claims.getClaim("email_verified");
        // Some providers (Cognito) send the flag as a string.
        boolean saysVerified = Boolean.TRUE.equals(verified) || "true".equals(verified);
        boolean saysUnverified = Boolean.FALSE.equals(verified) || "false".equals(verified);
        if (saysUnverified || (settings.requireVerifiedEmail() && !saysVerified)) {
            return Optional.empty();
        }
        return email;
    }

    private Optional<String> clientId(JWTClaimsSet claims) throws TokenRejected {
        for (String claim : settings.clientIdClaims()) {
            Optional<String> value = stringClaim(claims, claim);
            if (value.isPresent()) {
                return value;
            }
        }
        return Optional.empty();
    }

    /** A registered agent by its client id claim, or by {@code sub} for providers that name the client there (Okta, Auth0-style). */
    private Optional<ClientAgent> agentOf(JWTClaimsSet claims, Optional<String> client) {
        return client.map(agents::get).or(() -> Optional.ofNullable(agents.get(claims.getSubject())));
    }

    /**
     * Whether the token was issued to a client for itself (client credentials), by the signs each
     * provider leaves: {@code sub} is the client id (Okta, and most providers), {@code sub} is a
     * registered agent's client id, Keycloak's service-account user ({@code service-account-<client>}),
     * Entra's {@code idtyp: app} or an app-only token ({@code sub} equal to {@code oid}, no
     * {@code scp}), Auth0's {@code gty: client-credentials}.
     */
    private boolean withoutUser(JWTClaimsSet claims, Optional<String> client) throws TokenRejected {
        String subject = claims.getSubject();
        if (client.filter(subject::equals).isPresent() || agents.containsKey(subject)) {
            return true;
        }
        if (client.isPresent()
                && stringClaim(claims, "preferred_username")
                        .filter(("service-account-" + client.get())::equalsIgnoreCase)
                        .isPresent()) {
            return true;
        }
        if ("app".equals(claims.getClaim("idtyp")) || "client-credentials".equals(claims.getClaim("gty"))) {
            return true;
        }
        return subject.equals(claims.getClaim("oid")) && claims.getClaim("scp") == null;
    }

    /** A list of strings, or one string; anything else in the claim is not a group name and is left out. */
    private Set<String> groups(JWTClaimsSet claims) throws TokenRejected {
        Object value = claims.getClaim(settings.groupsClaim());
        Set<String> groups = new LinkedHashSet<>();
        if (value instanceof String single) {
            groups.add(single);
        } else if (value instanceof Collection<?> many) {
            many.stream()
                    .filter(String.class::isInstance)
                    .map(String.class::cast)
                    .forEach(groups::add);
        }
        Optional<String> path =
                groups.stream().filter(group -> group.startsWith("/")).findFirst();
        if (path.isEmpty()) {
            return groups;
        }
        if (settings.groupsClaimPaths() == OidcSettings.GroupPaths.REFUSE) {
            throw new TokenRejected("the token's groups look like paths (" + path.get()
                    + "): set the provider's mapper to plain names or groupsClaimPaths: strip");
        }
        Set<String> stripped = new LinkedHashSet<>();
        groups.forEach(group -> stripped.add(group.startsWith("/") ? group.substring(1) : group));
        return stripped;
    }

    private static Optional<String> stringClaim(JWTClaimsSet claims, String name) throws TokenRejected {
        try {
            return Optional.ofNullable(claims.getStringClaim(name)).filter(value -> !value.isBlank());
        } catch (ParseException e) {
            throw new TokenRejected("the token's '" + name + "' claim is not a string");
        }
    }

    private static Optional<Instant> epochSeconds(Object value) {
        if (value instanceof Date date) {
            return Optional.of(date.toInstant());
        }
        if (value instanceof Number number) {
            return Optional.of(Instant.ofEpochSecond(number.longValue()));
        }
        return Optional.empty();
    }
}
