package io.countersign.server.teams;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
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
import io.countersign.server.identity.TokenRejected;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies the JWT the Bot Connector sends with every activity, as "Authentication with the Bot
 * Connector API" requires, with Nimbus JOSE+JWT:
 *
 * <ul>
 *   <li>the {@code Authorization: Bearer} header is present;
 *   <li>the token is signed with RS256 (nothing else, so no {@code alg: none} and no HS256 signed with
 *       the public key) by a key from the {@code jwks_uri} of the OpenID metadata document, fetched on
 *       first use, cached for {@link #JWKS_TTL} and refetched (rate-limited) when an unknown {@code kid} arrives;
 *   <li>{@code iss} is the configured issuer, {@code aud} is the bot's app id, {@code exp} has not
 *       passed and {@code nbf} has come, with {@link #CLOCK_SKEW} of tolerance (the documented five minutes);
 *   <li>its {@code serviceurl} claim is the activity's {@code serviceUrl} (checked by {@link #requireServiceUrl}).
 * </ul>
 *
 * Key endorsements (the channel ids a key may sign for) are not checked: Nimbus keeps no
 * non-standard JWK members, and the audience already pins the token to this bot.
 */
final class ConnectorTokenVerifier {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectorTokenVerifier.class);
    static final Duration CLOCK_SKEW = Duration.ofMinutes(5);
    static final Duration JWKS_TTL = Duration.ofHours(24);
    static final Duration JWKS_MIN_REFETCH = Duration.ofSeconds(30);
    static final Duration DISCOVERY_RETRY = Duration.ofSeconds(10);

    private final TeamsConfig.Bot bot;
    private final ResourceRetriever retriever;
    private final Clock clock;
    private volatile @Nullable DefaultJWTProcessor<SecurityContext> processor;
    private Instant lastDiscoveryAttempt = Instant.MIN;
    private @Nullable String lastDiscoveryError = "";

    ConnectorTokenVerifier(TeamsConfig.Bot bot, Clock clock) {
        this(bot, new DefaultResourceRetriever(2_000, 2_000, 512 * 1024), clock);
    }

    ConnectorTokenVerifier(TeamsConfig.Bot bot, ResourceRetriever retriever, Clock clock) {
        this.bot = requireNonNull(bot, "bot is null");
        this.retriever = requireNonNull(retriever, "retriever is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** The verified claims of the {@code Authorization} header's bearer token. */
    JWTClaimsSet verify(@Nullable String authorization) throws TokenRejected {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new TokenRejected("the Bot Connector sends 'Authorization: Bearer <jwt>'; this call has none");
        }
        JWT parsed;
        try {
            parsed = JWTParser.parse(authorization.substring(7).trim());
        } catch (ParseException e) {
            throw new TokenRejected("the bearer token is not a JWT: " + e.getMessage());
        }
        if (!(parsed instanceof SignedJWT signed)) {
            throw new TokenRejected("the bearer token is unsigned or encrypted; the Bot Connector signs with RS256");
        }
        if (!JWSAlgorithm.RS256.equals(signed.getHeader().getAlgorithm())) {
            throw new TokenRejected("the token is signed with "
                    + signed.getHeader().getAlgorithm() + "; the Bot Connector signs with RS256");
        }
        try {
            return processor().process(signed, null);
        } catch (BadJOSEException e) {
            throw new TokenRejected("the token does not verify: " + e.getMessage());
        } catch (JOSEException e) {
            throw new TokenRejected("the token could not be verified: " + e.getMessage());
        }
    }

    /** The token was issued for this activity's connector: its {@code serviceurl} claim names the activity's {@code serviceUrl}. */
    static void requireServiceUrl(JWTClaimsSet claims, String activityServiceUrl) throws TokenRejected {
        Object claim = claims.getClaim("serviceurl");
        if (claim == null) {
            claim = claims.getClaim("serviceUrl");
        }
        if (!(claim instanceof String claimed) || !trimmed(claimed).equalsIgnoreCase(trimmed(activityServiceUrl))) {
            throw new TokenRejected("the token's serviceurl claim " + (claim == null ? "is missing" : "'" + claim + "'")
                    + " and does not match the activity's serviceUrl '" + activityServiceUrl + "'");
        }
    }

    private static String trimmed(String url) {
        return url.replaceAll("/+$", "");
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
                throw new TokenRejected("the Bot Framework OpenID metadata is unreachable: " + lastDiscoveryError);
            }
            lastDiscoveryAttempt = now;
            try {
                processor = newProcessor(jwksUri());
                return processor;
            } catch (IOException | ParseException | IllegalArgumentException | IllegalStateException e) {
                lastDiscoveryError = e.getMessage();
                LOG.warn(
                        "teams: reading the OpenID metadata at {} failed: {}", bot.openIdMetadataUrl(), e.getMessage());
                throw new TokenRejected("the Bot Framework OpenID metadata is unreachable: " + e.getMessage());
            }
        }
    }

    private URL jwksUri() throws IOException, ParseException {
        Map<String, Object> document = JSONObjectUtils.parse(
                retriever.retrieveResource(bot.openIdMetadataUrl().toURL()).getContent());
        String jwksUri = JSONObjectUtils.getString(document, "jwks_uri");
        if (jwksUri == null) {
            throw new IllegalStateException("the OpenID metadata at " + bot.openIdMetadataUrl() + " has no jwks_uri");
        }
        return URI.create(jwksUri).toURL();
    }

    private DefaultJWTProcessor<SecurityContext> newProcessor(URL jwksUri) {
        JWKSource<SecurityContext> keys = JWKSourceBuilder.<SecurityContext>create(jwksUri, retriever)
                .cache(JWKS_TTL.toMillis(), Duration.ofSeconds(15).toMillis())
                .rateLimited(JWKS_MIN_REFETCH.toMillis())
                .build();
        DefaultJWTProcessor<SecurityContext> jwtProcessor = new DefaultJWTProcessor<>();
        jwtProcessor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT, null));
        jwtProcessor.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.RS256, keys));
        DefaultJWTClaimsVerifier<SecurityContext> claims =
                new DefaultJWTClaimsVerifier<>(
                        Set.of(bot.appId()),
                        new JWTClaimsSet.Builder().issuer(bot.issuer()).build(),
                        Set.of("exp"),
                        Set.of()) {
                    @Override
                    protected Date currentTime() {
                        return Date.from(clock.instant());
                    }
                };
        claims.setMaxClockSkew((int) CLOCK_SKEW.toSeconds());
        jwtProcessor.setJWTClaimsSetVerifier(claims);
        return jwtProcessor;
    }
}
