package io.countersign.server.identity;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * How to trust an OpenID Connect provider: its issuer (discovery is at
 * {@code <issuer>/.well-known/openid-configuration}), the audience our tokens must carry, which
 * claims name the person, their email and their groups, which claims name the client a token was
 * issued to, and which of those clients are the ones people use (only their tokens vote).
 *
 * @param nameClaims the claims that name a person, the first present one wins; readable and
 *     stable ({@code preferred_username}, then {@code email}) rather than a provider's UUID
 * @param clientIdClaims the claims that name the client a token was issued to, the first present
 *     one wins ({@code azp}, then {@code client_id}; Okta's access tokens say {@code cid}, Entra's
 *     v1 tokens {@code appid})
 * @param humanClients the clients whose tokens a person holds: only those vote. Empty means "the
 *     console's client", filled in by the composition root ({@link #withDefaultHumanClient})
 * @param groupsClaimPaths what to do with groups sent as paths ({@code /data-owners})
 * @param requireVerifiedEmail whether an email counts only with {@code email_verified: true};
 *     otherwise only an explicit {@code email_verified: false} drops it
 * @param clockSkew how far {@code exp} and {@code nbf} may be off; small, a minute by default
 * @param keysRefresh how long fetched signing keys are trusted before the key set is fetched again,
 *     so a key the provider removed stops working within this time
 */
public record OidcSettings(
        URI issuer,
        String audience,
        List<String> nameClaims,
        String emailClaim,
        String groupsClaim,
        List<String> clientIdClaims,
        Set<String> humanClients,
        GroupPaths groupsClaimPaths,
        boolean requireVerifiedEmail,
        Duration clockSkew,
        Duration keysRefresh) {
    public static final List<String> DEFAULT_NAME_CLAIMS = List.of("preferred_username", "email");
    public static final String DEFAULT_EMAIL_CLAIM = "email";
    public static final String DEFAULT_GROUPS_CLAIM = "groups";
    public static final List<String> DEFAULT_CLIENT_ID_CLAIMS = List.of("azp", "client_id");
    public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(60);
    public static final Duration DEFAULT_KEYS_REFRESH = Duration.ofMinutes(5);
    private static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(5);
    private static final Duration MIN_KEYS_REFRESH = Duration.ofSeconds(2);
    private static final Duration MAX_KEYS_REFRESH = Duration.ofMinutes(15);

    /** Groups that look like paths: refused with a hint (the default), or their leading slash stripped. */
    public enum GroupPaths {
        REFUSE,
        /** {@code /data-owners} becomes {@code data-owners}; a nested {@code /org/admins} becomes {@code org/admins}, never plain {@code admins}. */
        STRIP
    }

    public OidcSettings {
        requireNonNull(issuer, "issuer is null");
        requireNonNull(audience, "audience is null");
        nameClaims = List.copyOf(requireNonNull(nameClaims, "nameClaims is null"));
        requireNonNull(emailClaim, "emailClaim is null");
        requireNonNull(groupsClaim, "groupsClaim is null");
        clientIdClaims = List.copyOf(requireNonNull(clientIdClaims, "clientIdClaims is null"));
        humanClients = Set.copyOf(requireNonNull(humanClients, "humanClients is null"));
        requireNonNull(groupsClaimPaths, "groupsClaimPaths is null");
        requireNonNull(clockSkew, "clockSkew is null");
        requireNonNull(keysRefresh, "keysRefresh is null");
        if (!"https".equals(issuer.getScheme()) && !isLoopback(issuer)) {
            throw new IllegalArgumentException(
                    "issuer " + issuer + " must be https (plain http only on a loopback address, for tests)");
        }
        if (audience.isBlank()) {
            throw new IllegalArgumentException(
                    "audience is blank; set it to the client id or API audience your provider puts in 'aud'");
        }
        if (nameClaims.isEmpty() || nameClaims.stream().anyMatch(String::isBlank)) {
            throw new IllegalArgumentException(
                    "nameClaim is " + nameClaims + "; want one claim or a list of claims, none blank");
        }
        if (clientIdClaims.isEmpty() || clientIdClaims.stream().anyMatch(String::isBlank)) {
            throw new IllegalArgumentException(
                    "clientIdClaims is " + clientIdClaims + "; want a list of claims, none blank");
        }
        if (humanClients.stream().anyMatch(String::isBlank)) {
            throw new IllegalArgumentException("humanClients has a blank client id");
        }
        if (clockSkew.isNegative() || clockSkew.compareTo(MAX_CLOCK_SKEW) > 0) {
            throw new IllegalArgumentException("clock skew is " + clockSkew + ", want 0 to " + MAX_CLOCK_SKEW);
        }
        if (keysRefresh.compareTo(MIN_KEYS_REFRESH) < 0 || keysRefresh.compareTo(MAX_KEYS_REFRESH) > 0) {
            throw new IllegalArgumentException(
                    "keysRefresh is " + keysRefresh + ", want " + MIN_KEYS_REFRESH + " to " + MAX_KEYS_REFRESH);
        }
    }

    public OidcSettings(URI issuer, String audience) {
        this(
                issuer,
                audience,
                DEFAULT_NAME_CLAIMS,
                DEFAULT_EMAIL_CLAIM,
                DEFAULT_GROUPS_CLAIM,
                DEFAULT_CLIENT_ID_CLAIMS,
                Set.of(),
                GroupPaths.REFUSE,
                false,
                DEFAULT_CLOCK_SKEW,
                DEFAULT_KEYS_REFRESH);
    }

    /** The issuer as tokens carry it in {@code iss}: exactly as configured, without a trailing slash added or removed. */
    public String issuerText() {
        return issuer.toString();
    }

    /** These settings with {@code client} as the one human client, unless human clients were configured. */
    public OidcSettings withDefaultHumanClient(String client) {
        return humanClients.isEmpty() ? withHumanClients(Set.of(client)) : this;
    }

    public OidcSettings withHumanClients(Set<String> clients) {
        return new OidcSettings(
                issuer,
                audience,
                nameClaims,
                emailClaim,
                groupsClaim,
                clientIdClaims,
                clients,
                groupsClaimPaths,
                requireVerifiedEmail,
                clockSkew,
                keysRefresh);
    }

    public OidcSettings withClaims(List<String> names, String email, String groups, List<String> clientIds) {
        return new OidcSettings(
                issuer,
                audience,
                names,
                email,
                groups,
                clientIds,
                humanClients,
                groupsClaimPaths,
                requireVerifiedEmail,
                clockSkew,
                keysRefresh);
    }

    public OidcSettings withGroupsClaimPaths(GroupPaths paths) {
        return new OidcSettings(
                issuer,
                audience,
                nameClaims,
                emailClaim,
                groupsClaim,
                clientIdClaims,
                humanClients,
                paths,
                requireVerifiedEmail,
                clockSkew,
                keysRefresh);
    }

    public OidcSettings withRequireVerifiedEmail(boolean required) {
        return new OidcSettings(
                issuer,
                audience,
                nameClaims,
                emailClaim,
                groupsClaim,
                clientIdClaims,
                humanClients,
                groupsClaimPaths,
                required,
                clockSkew,
                keysRefresh);
    }

    public OidcSettings withTiming(Duration skew, Duration refresh) {
        return new OidcSettings(
                issuer,
                audience,
                nameClaims,
                emailClaim,
                groupsClaim,
                clientIdClaims,
                humanClients,
                groupsClaimPaths,
                requireVerifiedEmail,
                skew,
                refresh);
    }

    private static boolean isLoopback(URI uri) {
        String host = uri.getHost();
        return "http".equals(uri.getScheme())
                && host != null
                && (host.equals("localhost") || host.equals("127.0.0.1") || host.equals("[::1]") || host.equals("::1"));
    }
}
