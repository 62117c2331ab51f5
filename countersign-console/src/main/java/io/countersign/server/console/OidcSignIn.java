package io.countersign.server.console;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jwt.JWT;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.oauth2.sdk.token.RefreshToken;
import com.nimbusds.openid.connect.sdk.AuthenticationErrorResponse;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.AuthenticationResponse;
import com.nimbusds.openid.connect.sdk.AuthenticationResponseParser;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponseParser;
import com.nimbusds.openid.connect.sdk.Prompt;
import com.nimbusds.openid.connect.sdk.claims.IDTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.claims.SessionID;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import com.nimbusds.openid.connect.sdk.token.OIDCTokens;
import com.nimbusds.openid.connect.sdk.validators.IDTokenValidator;
import io.countersign.identity.Human;
import io.countersign.identity.Scopes;
import io.countersign.server.identity.BearerTokens;
import io.countersign.server.identity.Caller;
import io.countersign.server.identity.OidcSettings;
import io.countersign.server.identity.TokenRejected;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Sign-in at the identity provider: the OpenID Connect authorization code flow with PKCE (S256),
 * state and nonce, done with the Nimbus OAuth 2.0 SDK. The ID token is checked by the SDK's
 * validator (signature from the provider's JWKS, asymmetric algorithms only, issuer, audience =
 * the console's client id, expiry, nonce) and mapped to a human with the same claims and group
 * rules as bearer tokens. A step-up sign-in asks the provider for a fresh login
 * ({@code prompt=login}, {@code max_age=0}); its {@code auth_time} is what step-up rules read.
 */
final class OidcSignIn {
    private static final Duration FLOW_TTL = Duration.ofMinutes(10);
    /** Sign-ins under way at once; anyone may start one, so their number is bounded. */
    private static final int MAX_FLOWS = 10_000;

    private static final Set<JWSAlgorithm> ALGORITHMS = Set.of(
            JWSAlgorithm.RS256,
            JWSAlgorithm.RS384,
            JWSAlgorithm.RS512,
            JWSAlgorithm.PS256,
            JWSAlgorithm.PS384,
            JWSAlgorithm.PS512,
            JWSAlgorithm.ES256,
            JWSAlgorithm.ES384,
            JWSAlgorithm.ES512);

    /** One sign-in between the redirect to the provider and its callback, keyed by {@code state}. */
    record Flow(State state, Nonce nonce, CodeVerifier verifier, String next, boolean stepUp, Instant startedAt) {}

    private final OidcSettings settings;
    private final ConsoleConfig console;
    private final BearerTokens tokens;
    private final Supplier<String> baseUrl;
    private final Clock clock;
    private final Map<String, Flow> flows = new ConcurrentHashMap<>();
    private final Map<JWSAlgorithm, IDTokenValidator> validators = new ConcurrentHashMap<>();
    private volatile @Nullable OIDCProviderMetadata metadata;

    OidcSignIn(
            OidcSettings settings, ConsoleConfig console, BearerTokens tokens, Supplier<String> baseUrl, Clock clock) {
        this.settings = requireNonNull(settings, "settings is null");
        this.console = requireNonNull(console, "console is null");
        this.tokens = requireNonNull(tokens, "tokens is null");
        this.baseUrl = requireNonNull(baseUrl, "baseUrl is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    String issuer() {
        return settings.issuerText();
    }

    /** Starts a flow: remembers state, nonce and the PKCE verifier, and answers where to send the browser. */
    Flow start(String next, boolean stepUp) throws SignInFailed {
        Instant now = clock.instant();
        flows.values().removeIf(flow -> now.isAfter(flow.startedAt().plus(FLOW_TTL)));
        if (flows.size() >= MAX_FLOWS) {
            throw new SignInFailed("too many sign-ins are under way; try again in a few minutes");
        }
        Flow flow = new Flow(new State(), new Nonce(), new CodeVerifier(), next, stepUp, now);
        flows.put(flow.state().getValue(), flow);
        return flow;
    }

    URI authorizationUri(Flow flow) throws SignInFailed {
        AuthenticationRequest.Builder request = new AuthenticationRequest.Builder(
                        ResponseType.CODE,
                        new Scope("openid", "email", "profile"),
                        new ClientID(console.clientId()),
                        redirectUri())
                .endpointURI(metadata().getAuthorizationEndpointURI())
                .state(flow.state())
                .nonce(flow.nonce())
                .codeChallenge(flow.verifier(), CodeChallengeMethod.S256);
        if (flow.stepUp()) {
            request.prompt(new Prompt(Prompt.Type.LOGIN)).maxAge(0);
        }
        return request.build().toURI();
    }

    /**
     * Finishes a flow from the provider's redirect: the state must be one this browser started
     * ({@code expectedState}, from its cookie), the code is exchanged with the PKCE verifier.
     */
    Result finish(@Nullable String callbackQuery, @Nullable String expectedState) throws SignInFailed {
        AuthenticationResponse response;
        try {
            response = AuthenticationResponseParser.parse(
                    URI.create(redirectUri() + "?" + (callbackQuery == null ? "" : callbackQuery)));
        } catch (ParseException e) {
            throw new SignInFailed("the identity provider's answer is malformed: " + e.getMessage());
        }
        if (response.getState() == null
                || expectedState == null
                || !ConsoleSessions.constantTimeEquals(response.getState().getValue(), expectedState)) {
            throw new SignInFailed("this sign-in was not started from this browser (state mismatch); start again");
        }
        Flow flow = flows.remove(expectedState);
        if (flow == null || clock.instant().isAfter(flow.startedAt().plus(FLOW_TTL))) {
            throw new SignInFailed("this sign-in took too long or was already used; start again");
        }
        if (!response.indicatesSuccess()) {
            AuthenticationErrorResponse error = response.toErrorResponse();
            throw new SignInFailed("the identity provider refused the sign-in: "
                    + error.getErrorObject().getCode()
                    + Optional.ofNullable(error.getErrorObject().getDescription())
                            .map(d -> " (" + d + ")")
                            .orElse(""));
        }
        AuthorizationCode code = response.toSuccessResponse().getAuthorizationCode();
        AuthorizationCodeGrant grant = new AuthorizationCodeGrant(code, redirectUri(), flow.verifier());
        OIDCTokens tokens;
        try {
            TokenResponse answer = OIDCTokenResponseParser.parse(
                    tokenRequest(grant).toHTTPRequest().send());
            if (!answer.indicatesSuccess()) {
                throw new SignInFailed("the identity provider refused the code: "
                        + answer.toErrorResponse().getErrorObject().getCode());
            }
            tokens = ((OIDCTokenResponse) answer.toSuccessResponse()).getOIDCTokens();
        } catch (ParseException | IOException | ClassCastException e) {
            throw new SignInFailed("the identity provider's token answer could not be read: " + e.getMessage());
        }
        IDTokenClaimsSet claims = validate(tokens.getIDToken(), Optional.of(flow.nonce()));
        Caller caller = caller(claims);
        ProviderSignIn signIn = new ProviderSignIn(
                tokens.getIDTokenString(),
                Optional.ofNullable(tokens.getRefreshToken()).map(RefreshToken::getValue),
                claims.getSubject().getValue(),
                Optional.ofNullable(claims.getSessionID()).map(SessionID::getValue));
        return new Result(caller, signIn, flow.next());
    }

    /** A token request from the console's client: with its secret when it is confidential, its id alone when public. */
    TokenRequest tokenRequest(com.nimbusds.oauth2.sdk.AuthorizationGrant grant) throws SignInFailed {
        URI tokenEndpoint = metadata().getTokenEndpointURI();
        return console.clientSecret()
                .map(secret -> new TokenRequest(
                        tokenEndpoint,
                        new ClientSecretBasic(new ClientID(console.clientId()), new Secret(secret)),
                        grant))
                .orElseGet(() -> new TokenRequest(tokenEndpoint, new ClientID(console.clientId()), grant));
    }

    /** Checks an ID token from the provider; {@code nonce} is the sign-in's, or empty for one from a refresh (which has none to check). */
    IDTokenClaimsSet validate(JWT idToken, Optional<Nonce> nonce) throws SignInFailed {
        if (idToken == null) {
            throw new SignInFailed("the identity provider sent no ID token");
        }
        IDTokenClaimsSet claims;
        try {
            JWSAlgorithm algorithm = (JWSAlgorithm) idToken.getHeader().getAlgorithm();
            if (!ALGORITHMS.contains(algorithm)) {
                throw new SignInFailed("the ID token is signed with "
                        + idToken.getHeader().getAlgorithm() + "; only asymmetric algorithms are accepted");
            }
            claims = validator(algorithm).validate(idToken, nonce.orElse(null));
        } catch (ClassCastException e) {
            throw new SignInFailed("the ID token is not signed");
        } catch (com.nimbusds.jose.JOSEException | java.net.MalformedURLException e) {
            throw new SignInFailed("the ID token does not verify: " + e.getMessage());
        } catch (com.nimbusds.jose.proc.BadJOSEException e) {
            throw new SignInFailed("the ID token does not verify: " + e.getMessage());
        }
        return claims;
    }

    /** The human an ID token names, as a console caller: console sessions are a person's own, so they vote. */
    Caller caller(IDTokenClaimsSet claims) throws SignInFailed {
        try {
            Human human = tokens.humanOf(claims.toJWTClaimsSet())
                    .orElseThrow(
                            () -> new SignInFailed(
                                    "the ID token is a client's (client credentials), not a person's; agents don't use the console"));
            Optional<Instant> signedInAt =
                    Optional.ofNullable(claims.getAuthenticationTime()).map(java.util.Date::toInstant);
            return new Caller(
                    human,
                    Caller.Method.OIDC,
                    Scopes.UNRESTRICTED,
                    signedInAt,
                    tokens.rolesOf(human),
                    Optional.empty());
        } catch (TokenRejected | ParseException e) {
            throw new SignInFailed(java.util.Objects.requireNonNullElse(e.getMessage(), "no detail"));
        }
    }

    record Result(Caller caller, ProviderSignIn signIn, String next) {}

    private IDTokenValidator validator(JWSAlgorithm algorithm) throws java.net.MalformedURLException, SignInFailed {
        IDTokenValidator existing = validators.get(algorithm);
        if (existing != null) {
            return existing;
        }
        OIDCProviderMetadata provider = metadata();
        IDTokenValidator created = new IDTokenValidator(
                provider.getIssuer(),
                new ClientID(console.clientId()),
                algorithm,
                provider.getJWKSetURI().toURL());
        created.setMaxClockSkew((int) settings.clockSkew().toSeconds());
        validators.putIfAbsent(algorithm, created);
        return validators.get(algorithm);
    }

    /** Where the provider sends the browser after RP-initiated logout (register it at the provider as a post-logout redirect URI). */
    URI afterLogoutUri() {
        return URI.create(baseUrl.get() + ConsoleSessions.PREFIX + "/sign-in");
    }

    URI redirectUri() {
        return URI.create(baseUrl.get() + ConsoleSessions.PREFIX + "/oidc/callback");
    }

    String clientId() {
        return console.clientId();
    }

    java.time.Duration clockSkew() {
        return settings.clockSkew();
    }

    static Set<JWSAlgorithm> algorithms() {
        return ALGORITHMS;
    }

    /** Discovery on first use, so the gateway starts while the provider is down. */
    OIDCProviderMetadata metadata() throws SignInFailed {
        OIDCProviderMetadata known = metadata;
        if (known != null) {
            return known;
        }
        try {
            OIDCProviderMetadata resolved = OIDCProviderMetadata.resolve(new Issuer(settings.issuerText()));
            metadata = resolved;
            return resolved;
        } catch (com.nimbusds.oauth2.sdk.GeneralException | IOException e) {
            throw new SignInFailed(
                    "the identity provider at " + settings.issuerText() + " can't be reached: " + e.getMessage());
        }
    }

    /** Why a sign-in did not complete; safe to show to the person signing in. */
    static final class SignInFailed extends Exception {
        SignInFailed(String message) {
            super(message, null, false, false);
        }
    }
}
