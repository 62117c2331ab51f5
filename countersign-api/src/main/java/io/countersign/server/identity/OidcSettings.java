package io.countersign.server.identity;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;

/**
 * How to trust an OpenID Connect provider: its issuer (discovery is at
 * {@code <issuer>/.well-known/openid-configuration}), the audience our tokens must carry, and
 * which claims name the person, their email and their groups.
 *
 * @param clockSkew how far {@code exp} and {@code nbf} may be off; small, a minute by default
 */
public record OidcSettings(URI issuer, String audience, String nameClaim, String emailClaim, String groupsClaim, Duration clockSkew) {
    public static final String DEFAULT_NAME_CLAIM = "sub";
    public static final String DEFAULT_EMAIL_CLAIM = "email";
    public static final String DEFAULT_GROUPS_CLAIM = "groups";
    public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(60);
    private static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(5);

    public OidcSettings {
        requireNonNull(issuer, "issuer is null");
        requireNonNull(audience, "audience is null");
        requireNonNull(nameClaim, "nameClaim is null");
        requireNonNull(emailClaim, "emailClaim is null");
        requireNonNull(groupsClaim, "groupsClaim is null");
        requireNonNull(clockSkew, "clockSkew is null");
        if (!"https".equals(issuer.getScheme()) && !isLoopback(issuer)) {
            throw new IllegalArgumentException("issuer " + issuer + " must be https (plain http only on a loopback address, for tests)");
        }
        if (audience.isBlank()) {
            throw new IllegalArgumentException("audience is blank; set it to the client id or API audience your provider puts in 'aud'");
        }
        if (clockSkew.isNegative() || clockSkew.compareTo(MAX_CLOCK_SKEW) > 0) {
            throw new IllegalArgumentException("clock skew is " + clockSkew + ", want 0 to " + MAX_CLOCK_SKEW);
        }
    }

    public OidcSettings(URI issuer, String audience) {
        this(issuer, audience, DEFAULT_NAME_CLAIM, DEFAULT_EMAIL_CLAIM, DEFAULT_GROUPS_CLAIM, DEFAULT_CLOCK_SKEW);
    }

    /** The issuer as tokens carry it in {@code iss}: exactly as configured, without a trailing slash added or removed. */
    public String issuerText() {
        return issuer.toString();
    }

    private static boolean isLoopback(URI uri) {
        String host = uri.getHost();
        return "http".equals(uri.getScheme()) && host != null
                && (host.equals("localhost") || host.equals("127.0.0.1") || host.equals("[::1]") || host.equals("::1"));
    }
}
