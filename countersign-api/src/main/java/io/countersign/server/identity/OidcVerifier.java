package io.countersign.server.identity;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.jwk.source.RateLimitReachedException;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jose.util.ResourceRetriever;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies JWTs from one OpenID Connect provider, with Nimbus JOSE+JWT; nothing here parses a
 * token by hand.
 *
 * <ul>
 *   <li>Discovery ({@code <issuer>/.well-known/openid-configuration}) on first use, retried at most
 *       every {@link #DISCOVERY_RETRY} while the provider is unreachable, so the gateway starts
 *       even when the provider is down. The document must name exactly our issuer.
 *   <li>Keys from its {@code jwks_uri}, trusted for {@link OidcSettings#keysRefresh()} (5 minutes by
 *       default) and then fetched again, so a key the provider removed stops working within that
 *       time; a token whose {@code kid} is not in the cache refetches the set at once (a key
 *       rotation), rate-limited by Nimbus to two fetches per {@link #JWKS_MIN_REFETCH}, so a flood of
 *       made-up kids can't turn us against the provider. A token refused by that limit is told to
 *       retry (503), not that it is bad.
 *   <li>Only signed tokens, and only with asymmetric algorithms (RSA, RSA-PSS, ECDSA), matched
 *       against keys of that type: {@code alg: none}, encrypted tokens, and HS256 "signed" with the
 *       provider's public key (algorithm confusion) are refused.
 *   <li>{@code iss} exactly the issuer, our audience in {@code aud}, {@code sub} and {@code exp}
 *       present, {@code exp} and {@code nbf} checked with the configured skew.
 * </ul>
 */
public final class OidcVerifier {
    private static final Logger LOG = LoggerFactory.getLogger(OidcVerifier.class);
    static final Duration DISCOVERY_RETRY = Duration.ofSeconds(10);
    static final Duration JWKS_MIN_REFETCH = Duration.ofSeconds(30);
    private static final Set<JWSAlgorithm> ASYMMETRIC;

    static {
        Set<JWSAlgorithm> algorithms = new LinkedHashSet<>();
        algorithms.addAll(JWSAlgorithm.Family.RSA);
        algorithms.addAll(JWSAlgorithm.Family.EC);
        algorithms.remove(JWSAlgorithm.ES256K); // secp256k1 is not an OIDC algorithm
        ASYMMETRIC = Set.copyOf(algorithms);
    }

    private final OidcSettings settings;
    private final ResourceRetriever retriever;
    private final Clock clock;
    // Set once discovery succeeded; until then, discovery is retried on use.
    private volatile @Nullable DefaultJWTProcessor<SecurityContext> processor;
    private Instant lastDiscoveryAttempt = Instant.MIN;
    private @Nullable String lastDiscoveryError = "";

    public OidcVerifier(OidcSettings settings, Clock clock) {
        this(settings, new DefaultResourceRetriever(5_000, 5_000, 512 * 1024), clock);
    }

    OidcVerifier(OidcSettings settings, ResourceRetriever retriever, Clock clock) {
        this.settings = requireNonNull(settings, "settings is null");
        this.retriever = requireNonNull(retriever, "retriever is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    public OidcSettings settings() {
        return settings;
    }

    /** Whether a bearer token has the shape of a JWT (three base64url parts); says nothing about its validity. */
    public static boolean looksLikeJwt(String token) {
        return token.chars().filter(c -> c == '.').count() == 2;
    }

    /**
     * The verified claims of a token from this provider.
     *
     * @throws TokenRejected with the reason, for anything not valid now
     */
    public JWTClaimsSet verify(String token) throws TokenRejected {
        requireNonNull(token, "token is null");
        JWT parsed;
        try {
            parsed = JWTParser.parse(token);
        } catch (ParseException e) {
            throw new TokenRejected("the bearer token is not a JWT: " + e.getMessage());
        }
        if (!(parsed instanceof SignedJWT signed)) {
            throw new TokenRejected("the bearer token is "
                    + (parsed.getHeader().getAlgorithm() == com.nimbusds.jose.Algorithm.NONE
                            ? "unsigned (alg none)"
                            : "encrypted")
                    + "; only signed tokens are accepted");
        }
        JWSAlgorithm algorithm = signed.getHeader().getAlgorithm();
        if (!ASYMMETRIC.contains(algorithm)) {
            throw new TokenRejected("the token is signed with " + algorithm
                    + "; only asymmetric algorithms (RS*, PS*, ES*) are accepted");
        }
        try {
            return processor().process(signed, null);
        } catch (BadJOSEException e) {
            throw new TokenRejected("the token does not verify: " + e.getMessage());
        } catch (RateLimitReachedException e) {
            // An unknown kid while the key set was just fetched: a rotation under way, or a made-up kid.
            throw TokenRejected.retryLater("the provider's signing keys are being refreshed; retry in a few seconds");
        } catch (com.nimbusds.jose.JOSEException e) {
            // The key source could not be read (the provider is down) or the key is unusable.
            throw new TokenRejected("the token could not be verified: "
                    + Optional.ofNullable(e.getMessage()).orElse(e.getClass().getSimpleName()));
        }
    }

    private DefaultJWTProcessor<SecurityContext> processor() throws TokenRejected {
        DefaultJWTProcessor<SecurityContext> ready = processor;
        if (ready != null) {
            return ready;
        }
        synchronized (this) {
            if (processor != null) {
                return processor;
            }
            Instant now = clock.instant();
            if (now.isBefore(lastDiscoveryAttempt.plus(DISCOVERY_RETRY))) {
                throw new TokenRejected(
                        "the identity provider " + settings.issuerText() + " is unreachable: " + lastDiscoveryError);
            }
            lastDiscoveryAttempt = now;
            try {
                processor = newProcessor(discoverJwksUri());
                return processor;
            } catch (IOException | ParseException | IllegalStateException | IllegalArgumentException e) {
                lastDiscoveryError = e.getMessage();
                LOG.warn("OIDC discovery for {} failed: {}", settings.issuerText(), e.getMessage());
                throw new TokenRejected(
                        "the identity provider " + settings.issuerText() + " is unreachable: " + e.getMessage());
            }
        }
    }

    private URL discoverJwksUri() throws IOException, ParseException {
        String issuer = settings.issuerText();
        URL discovery = url(issuer.replaceAll("/+$", "") + "/.well-known/openid-configuration");
        Map<String, Object> document =
                JSONObjectUtils.parse(retriever.retrieveResource(discovery).getContent());
        String advertised = JSONObjectUtils.getString(document, "issuer");
        if (!issuer.equals(advertised)) {
            // OpenID Connect Discovery 1.0, section 4.3: the issuers must be identical.
            throw new IllegalStateException("the discovery document at " + discovery + " names issuer '" + advertised
                    + "', want '" + issuer + "'");
        }
        String jwksUri = JSONObjectUtils.getString(document, "jwks_uri");
        if (jwksUri == null) {
            throw new IllegalStateException("the discovery document at " + discovery + " has no jwks_uri");
        }
        return url(jwksUri);
    }

    private DefaultJWTProcessor<SecurityContext> newProcessor(URL jwksUri) {
        // Nimbus wants the refresh timeout and the rate limit's interval below the time-to-live.
        long ttl = settings.keysRefresh().toMillis();
        JWKSource<SecurityContext> keys = JWKSourceBuilder.<SecurityContext>create(jwksUri, retriever)
                .cache(ttl, Math.min(TimeUnit.SECONDS.toMillis(15), ttl / 2))
                .refreshAheadCache(false)
                .rateLimited(Math.min(JWKS_MIN_REFETCH.toMillis(), ttl / 2))
                .build();
        DefaultJWTProcessor<SecurityContext> jwtProcessor = new DefaultJWTProcessor<>();
        jwtProcessor.setJWSTypeVerifier(
                new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT, new JOSEObjectType("at+jwt"), null));
        jwtProcessor.setJWSKeySelector(new JWSVerificationKeySelector<>(ASYMMETRIC, keys));
        DefaultJWTClaimsVerifier<SecurityContext> claims =
                new DefaultJWTClaimsVerifier<>(
                        Set.of(settings.audience()),
                        new JWTClaimsSet.Builder().issuer(settings.issuerText()).build(),
                        Set.of("sub", "exp"),
                        Set.of()) {
                    @Override
                    protected Date currentTime() {
                        return Date.from(clock.instant());
                    }
                };
        claims.setMaxClockSkew((int) settings.clockSkew().toSeconds());
        jwtProcessor.setJWTClaimsSetVerifier(claims);
        return jwtProcessor;
    }

    private static URL url(String text) throws MalformedURLException {
        try {
            return URI.create(text).toURL();
        } catch (IllegalArgumentException e) {
            throw new MalformedURLException("'" + text + "' is not a URL: " + e.getMessage());
        }
    }
}
