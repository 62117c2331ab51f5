package io.countersign.server.console;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.oauth2.sdk.ErrorObject;
import com.nimbusds.oauth2.sdk.OAuth2Error;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.RefreshTokenGrant;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.JWTID;
import com.nimbusds.oauth2.sdk.id.Subject;
import com.nimbusds.oauth2.sdk.token.RefreshToken;
import com.nimbusds.openid.connect.sdk.LogoutRequest;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponseParser;
import com.nimbusds.openid.connect.sdk.claims.IDTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.claims.LogoutTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.claims.SessionID;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import com.nimbusds.openid.connect.sdk.token.OIDCTokens;
import com.nimbusds.openid.connect.sdk.validators.LogoutTokenValidator;
import io.countersign.server.identity.Caller;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * What the console asks the identity provider about a sign-in after it happened: whether it still
 * holds (a refresh before a vote), where to end it (RP-initiated logout), and whether a
 * back-channel logout token is genuine (OpenID Connect Back-Channel Logout 1.0, section 2.6: the
 * provider's signature, our client as audience, the issuer, {@code iat}, the logout event, a
 * subject or session, no nonce; checked by the Nimbus SDK's validator), once: a replayed
 * {@code jti} is refused.
 */
final class ProviderSessions {
    private static final Duration REPLAY_WINDOW = Duration.ofMinutes(10);
    private static final int MAX_REMEMBERED = 10_000;

    /** What the provider answered a refresh. */
    sealed interface Check permits Confirmed, Ended, Unavailable {}

    /** The sign-in holds; the session now carries this caller (groups as the provider says now) and these tokens. */
    record Confirmed(Caller caller, ProviderSignIn signIn) implements Check {}

    /** The sign-in is over at the provider (logged out, disabled, the refresh token revoked): end the session. */
    record Ended(String reason) implements Check {}

    /** The provider could not be asked; refuse the vote, keep the session. */
    record Unavailable(String reason) implements Check {}

    /** The sign-in a genuine logout token ends: its subject, its provider session, or both. */
    record LoggedOut(Optional<String> subject, Optional<String> sessionId) {}

    private final OidcSignIn signIn;
    private final Clock clock;
    private final Map<String, Instant> seenLogoutTokens = new ConcurrentHashMap<>();
    private volatile @Nullable LogoutTokenValidator logoutValidator;

    ProviderSessions(OidcSignIn signIn, Clock clock) {
        this.signIn = requireNonNull(signIn, "signIn is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** Asks the provider whether the sign-in still holds, with its refresh token (rotated when the provider sends a new one). */
    Check refresh(ConsoleSession session) {
        ProviderSignIn current = session.provider()
                .orElseThrow(
                        () -> new IllegalStateException("session " + session + " did not sign in at the provider"));
        if (current.refreshToken().isEmpty()) {
            return new Ended(
                    "the identity provider gave this sign-in no refresh token, so it can't be confirmed; sign in again");
        }
        TokenResponse answer;
        try {
            answer = OIDCTokenResponseParser.parse(signIn.tokenRequest(new RefreshTokenGrant(
                            new RefreshToken(current.refreshToken().get())))
                    .toHTTPRequest()
                    .send());
        } catch (IOException | ParseException e) {
            return new Unavailable(
                    "the identity provider can't be asked whether your sign-in still holds: " + e.getMessage());
        } catch (OidcSignIn.SignInFailed e) {
            return new Unavailable(java.util.Objects.requireNonNullElse(e.getMessage(), "no detail"));
        }
        if (!answer.indicatesSuccess()) {
            ErrorObject error = answer.toErrorResponse().getErrorObject();
            if (OAuth2Error.INVALID_GRANT.getCode().equals(error.getCode())) {
                return new Ended("your sign-in has ended at the identity provider ("
                        + Optional.ofNullable(error.getDescription()).orElse(error.getCode()) + "); sign in again");
            }
            return new Unavailable("the identity provider refused to confirm your sign-in: " + error.getCode());
        }
        OIDCTokens tokens = ((OIDCTokenResponse) answer.toSuccessResponse()).getOIDCTokens();
        String refreshToken = Optional.ofNullable(tokens.getRefreshToken())
                .map(RefreshToken::getValue)
                .orElse(current.refreshToken().get());
        if (tokens.getIDToken() == null) {
            return new Confirmed(
                    session.caller(),
                    new ProviderSignIn(
                            current.idToken(), Optional.of(refreshToken), current.subject(), current.sessionId()));
        }
        try {
            IDTokenClaimsSet claims = signIn.validate(tokens.getIDToken(), Optional.empty());
            if (!claims.getSubject().getValue().equals(current.subject())) {
                return new Ended("the identity provider now names someone else for this sign-in; sign in again");
            }
            Caller caller = signIn.caller(claims);
            if (!caller.principal().name().equals(session.caller().principal().name())) {
                return new Ended("your name at the identity provider changed from "
                        + session.caller().principal().name() + " to "
                        + caller.principal().name() + "; sign in again");
            }
            // The sign-in time stays the original one: a refresh is not a fresh login for step-up.
            Caller kept = new Caller(
                    caller.principal(),
                    caller.method(),
                    caller.scopes(),
                    session.caller().signedInAt(),
                    caller.roles(),
                    caller.clientId());
            return new Confirmed(
                    kept,
                    new ProviderSignIn(
                            tokens.getIDTokenString(),
                            Optional.of(refreshToken),
                            current.subject(),
                            Optional.ofNullable(claims.getSessionID())
                                    .map(SessionID::getValue)
                                    .or(current::sessionId)));
        } catch (OidcSignIn.SignInFailed e) {
            return new Ended("the identity provider's answer does not confirm your sign-in: " + e.getMessage());
        }
    }

    /** Where to send the browser to end the provider's session too, when the provider offers RP-initiated logout. */
    Optional<URI> logoutUri(ProviderSignIn ended, URI afterLogout) {
        try {
            URI endSession = signIn.metadata().getEndSessionEndpointURI();
            if (endSession == null) {
                return Optional.empty();
            }
            JWT hint = JWTParser.parse(ended.idToken());
            return Optional.of(
                    new LogoutRequest(endSession, hint, null, new ClientID(signIn.clientId()), afterLogout, null, null)
                            .toURI());
        } catch (OidcSignIn.SignInFailed | java.text.ParseException e) {
            return Optional.empty();
        }
    }

    /** @throws OidcSignIn.SignInFailed saying why the logout token is not one we accept */
    LoggedOut verifyLogoutToken(String logoutToken) throws OidcSignIn.SignInFailed {
        LogoutTokenClaimsSet claims;
        try {
            claims = validator().validate(JWTParser.parse(logoutToken));
        } catch (java.text.ParseException e) {
            throw new OidcSignIn.SignInFailed("the logout token is not a JWT: " + e.getMessage());
        } catch (BadJOSEException | com.nimbusds.jose.JOSEException e) {
            throw new OidcSignIn.SignInFailed("the logout token does not verify: " + e.getMessage());
        }
        Instant now = clock.instant();
        Instant issued = claims.getIssueTime().toInstant();
        if (issued.isBefore(now.minus(REPLAY_WINDOW)) || issued.isAfter(now.plus(signIn.clockSkew()))) {
            throw new OidcSignIn.SignInFailed("the logout token was issued at " + issued + ", outside the last "
                    + REPLAY_WINDOW.toMinutes() + " minutes");
        }
        String jti = Optional.ofNullable(claims.getJWTID())
                .map(JWTID::getValue)
                .orElseThrow(() -> new OidcSignIn.SignInFailed("the logout token has no jti"));
        seenLogoutTokens.values().removeIf(seen -> seen.isBefore(now.minus(REPLAY_WINDOW)));
        if (seenLogoutTokens.size() >= MAX_REMEMBERED || seenLogoutTokens.putIfAbsent(jti, now) != null) {
            throw new OidcSignIn.SignInFailed(
                    "the logout token " + jti + " was already used (or too many arrived at once)");
        }
        return new LoggedOut(
                Optional.ofNullable(claims.getSubject()).map(Subject::getValue),
                Optional.ofNullable(claims.getSessionID()).map(SessionID::getValue));
    }

    private LogoutTokenValidator validator() throws OidcSignIn.SignInFailed {
        LogoutTokenValidator known = logoutValidator;
        if (known != null) {
            return known;
        }
        OIDCProviderMetadata provider = signIn.metadata();
        try {
            JWKSource<SecurityContext> keys = JWKSourceBuilder.<SecurityContext>create(
                            provider.getJWKSetURI().toURL())
                    .build();
            LogoutTokenValidator created = new LogoutTokenValidator(
                    provider.getIssuer(),
                    new ClientID(signIn.clientId()),
                    false,
                    new JWSVerificationKeySelector<>(OidcSignIn.algorithms(), keys),
                    null);
            created.setMaxClockSkew((int) signIn.clockSkew().toSeconds());
            logoutValidator = created;
            return created;
        } catch (java.net.MalformedURLException e) {
            throw new OidcSignIn.SignInFailed("the identity provider's jwks_uri is not a URL: " + e.getMessage());
        }
    }
}
