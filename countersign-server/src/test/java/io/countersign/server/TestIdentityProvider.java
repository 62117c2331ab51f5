package io.countersign.server;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import no.nav.security.mock.oauth2.http.OAuth2HttpRequest;
import no.nav.security.mock.oauth2.http.OAuth2HttpResponse;
import no.nav.security.mock.oauth2.http.Route;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import no.nav.security.mock.oauth2.token.KeyProvider;
import no.nav.security.mock.oauth2.token.OAuth2TokenProvider;
import okhttp3.Headers;

/**
 * A real OpenID Connect provider on a free loopback port (navikt's mock-oauth2-server), serving
 * discovery and JWKS for a key the test holds, so a test can sign any token it needs. The mock
 * names its key after the issuer id ({@code kid: default}); a rotation publishes a new key under a
 * new kid beside the old one, as providers do, as the provider's next JWKS answer.
 */
final class TestIdentityProvider implements AutoCloseable {
    static final String ISSUER_ID = "default";
    static final String AUDIENCE = "countersign";
    /** The client people's tokens come from (the console's, the default human client). */
    static final String HUMAN_CLIENT = "countersign-console";

    private final MockOAuth2Server server;
    private final RSAKey original;
    private volatile RSAKey key;
    // Once rotated, the JWKS the provider publishes; until then its own.
    private volatile String rotatedJwks;

    TestIdentityProvider() {
        this.original = newKey(ISSUER_ID);
        this.key = original;
        server = new MockOAuth2Server(
                new OAuth2Config(
                        false,
                        null,
                        null,
                        false,
                        new OAuth2TokenProvider(new KeyProvider(List.of(original), JWSAlgorithm.RS256.getName()))),
                new RotatedKeys());
        try {
            server.start(InetAddress.getByName("127.0.0.1"), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    URI issuer() {
        return server.issuerUrl(ISSUER_ID).uri();
    }

    RSAKey key() {
        return key;
    }

    /**
     * Who the next browser sign-in at the provider's authorize endpoint (the code flow) is: the mock
     * has no login form, it signs in whoever was queued, with these claims in the ID token.
     */
    void nextSignIn(String subject, Map<String, Object> claims) {
        server.enqueueCallback(new DefaultOAuth2TokenCallback(
                ISSUER_ID, subject, JOSEObjectType.JWT.getType(), null, person(subject, claims), 3600));
    }

    /** What the provider's next answer at its token endpoint (a refresh, a token exchange, client credentials) carries. */
    void nextToken(String subject, List<String> audience, Map<String, Object> claims) {
        server.enqueueCallback(new DefaultOAuth2TokenCallback(
                ISSUER_ID, subject, JOSEObjectType.JWT.getType(), audience, claims, 3600));
    }

    /** A person's token issued by the provider itself to the console's client, for our audience, valid for an hour. */
    String issue(String subject, Map<String, Object> claims) {
        JWTClaimsSet.Builder issued = claims(subject).claim("email", null).claim("email_verified", null);
        claims.forEach(issued::claim);
        return signWith(original, issued.build());
    }

    /** A client's own token (client credentials), under the provider's own key: {@code sub} is the client, as most providers send it. */
    String issueToClient(String clientId, Map<String, Object> claims) {
        Instant now = Instant.now();
        JWTClaimsSet.Builder issued = new JWTClaimsSet.Builder()
                .issuer(issuer().toString())
                .audience(AUDIENCE)
                .subject(clientId)
                .claim("client_id", clientId)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(Duration.ofHours(1))))
                .jwtID(UUID.randomUUID().toString());
        claims.forEach(issued::claim);
        return signWith(original, issued.build());
    }

    URI tokenEndpoint() {
        return server.tokenEndpointUrl(ISSUER_ID).uri();
    }

    /** A person is named by preferred_username, as Keycloak and Okta send it; tests name people by their subject. */
    private static Map<String, Object> person(String subject, Map<String, Object> claims) {
        Map<String, Object> named = new java.util.HashMap<>(claims);
        named.putIfAbsent("preferred_username", subject);
        return named;
    }

    /** The claims of a good human token; tests change one thing at a time. */
    JWTClaimsSet.Builder claims(String subject, String... groups) {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder()
                .issuer(issuer().toString())
                .audience(AUDIENCE)
                .subject(subject)
                .claim("azp", HUMAN_CLIENT)
                .claim("preferred_username", subject)
                .claim("email", subject + "@example.com")
                .claim("email_verified", true)
                .claim("groups", List.of(groups))
                .claim("auth_time", now.getEpochSecond())
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plus(Duration.ofHours(1))))
                .jwtID(UUID.randomUUID().toString());
    }

    String sign(JWTClaimsSet claims) {
        return signWith(key, claims);
    }

    static String signWith(RSAKey signingKey, JWTClaimsSet claims) {
        try {
            SignedJWT jwt = new SignedJWT(
                    new JWSHeader.Builder(JWSAlgorithm.RS256)
                            .keyID(signingKey.getKeyID())
                            .type(JOSEObjectType.JWT)
                            .build(),
                    claims);
            jwt.sign(new RSASSASigner(signingKey));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The provider starts signing with a new key under a new kid and publishes it beside the old
     * one. Only the next JWKS fetch sees the new set: call this after the gateway has fetched keys.
     */
    void rotate() {
        key = newKey("rotated-" + UUID.randomUUID());
        rotatedJwks = new JWKSet(List.<JWK>of(original.toPublicJWK(), key.toPublicJWK())).toString();
    }

    /** The provider disables its original key: the next JWKS answer has only a new one. */
    void removeOriginalKey() {
        key = newKey("replacement-" + UUID.randomUUID());
        rotatedJwks = new JWKSet(List.<JWK>of(key.toPublicJWK())).toString();
    }

    /** Serves the rotated key set at the provider's jwks_uri once there is one. */
    private final class RotatedKeys implements Route {
        @Override
        public boolean match(OAuth2HttpRequest request) {
            return rotatedJwks != null
                    && request.getMethod().equals("GET")
                    && request.getUrl().encodedPath().endsWith("/jwks");
        }

        @Override
        public OAuth2HttpResponse invoke(OAuth2HttpRequest request) {
            return new OAuth2HttpResponse(Headers.of("Content-Type", "application/json"), 200, rotatedJwks, null);
        }
    }

    static RSAKey newKey(String kid) {
        try {
            return new RSAKeyGenerator(2048)
                    .keyID(kid)
                    .keyUse(KeyUse.SIGNATURE)
                    .algorithm(JWSAlgorithm.RS256)
                    .generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.shutdown();
    }
}
