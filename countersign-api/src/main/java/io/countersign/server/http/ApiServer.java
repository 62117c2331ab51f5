package io.countersign.server.http;

import static java.util.Objects.requireNonNull;

import io.countersign.store.StoreUnavailableException;
import io.countersign.workflow.WorkflowException;
import io.javalin.Javalin;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.json.JavalinJackson3;
import io.javalin.security.Roles;
import io.javalin.security.RouteRole;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/** The HTTP server: Javalin with authentication, problem+json errors and one log line per call. */
public final class ApiServer implements AutoCloseable {
    /** Refused bodies up to this size are read before the 413 is sent (see {@link #discardUpTo}). */
    private static final long DRAINED_BODY_BYTES = 16L * 1024 * 1024;

    private static final Logger ACCESS_LOG = LoggerFactory.getLogger("countersign.access");

    private final Javalin app;

    public ApiServer(
            String host,
            int port,
            long maxBodyBytes,
            JsonMapper mapper,
            Authentication authentication,
            List<Consumer<RoutesConfig>> routeGroups) {
        this(host, port, maxBodyBytes, mapper, authentication, routeGroups, Optional.empty(), List.of());
    }

    /**
     * With {@code tls}, the one listener serves HTTPS only, and every answer carries HSTS; with
     * {@code errorPages}, each page's errors on the paths it covers (the console's HTML, MCP's JSON-RPC),
     * problem+json everywhere else.
     */
    public ApiServer(
            String host,
            int port,
            long maxBodyBytes,
            JsonMapper mapper,
            Authentication authentication,
            List<Consumer<RoutesConfig>> routeGroups,
            Optional<TlsFiles> tls,
            List<ErrorPage> errorPages) {
        requireNonNull(authentication, "authentication is null");
        requireNonNull(tls, "tls is null");
        // Read the PEM files now, so a bad certificate fails the start with its file named, not the first handshake.
        Optional<SslContextFactory.Server> ssl = tls.map(ApiServer::sslContext);
        ProblemRenderer problems = new ProblemRenderer(mapper, requireNonNull(errorPages, "errorPages is null"));
        JettyErrors jettyErrors = new JettyErrors(problems, errorPages);
        this.app = Javalin.create(config -> {
            config.jetty.host = requireNonNull(host, "host is null");
            config.jetty.port = port;
            ssl.ifPresent(factory -> config.jetty.addConnector((server, httpConfig) -> {
                httpConfig.addCustomizer(new SecureRequestCustomizer());
                ServerConnector connector = new ServerConnector(
                        server,
                        new SslConnectionFactory(factory, HttpVersion.HTTP_1_1.asString()),
                        new HttpConnectionFactory(httpConfig));
                connector.setHost(host);
                connector.setPort(port);
                return connector;
            }));
            config.http.maxRequestSize = maxBodyBytes;
            config.http.asyncTimeout = 0; // long-polls bound their own wait
            config.startup.showJavalinBanner = false;
            config.jetty.modifyServer(server -> server.setErrorHandler(jettyErrors));
            config.jetty.modifyServletContextHandler(context -> context.setErrorHandler(jettyErrors));
            config.jsonMapper(new JavalinJackson3(mapper, false));
            config.requestLogger.http((ctx, millis) -> ACCESS_LOG.info(
                    "request id={} method={} path={} status={} ms={} principal={}",
                    ctx.<String>attribute(RequestIds.ATTRIBUTE),
                    ctx.method(),
                    ctx.path(),
                    ctx.statusCode(),
                    String.format("%.1f", millis),
                    Authentication.auditName(ctx).orElse("-")));
            if (ssl.isPresent()) {
                // Browsers that saw HTTPS here once never try plain HTTP again for a year.
                config.routes.before(ctx -> ctx.header("Strict-Transport-Security", "max-age=31536000"));
            }
            config.routes.before(ctx -> {
                String requestId = RequestIds.next();
                ctx.attribute(RequestIds.ATTRIBUTE, requestId);
                ctx.header(RequestIds.HEADER, requestId);
                requireDecodable("path", ctx.req().getRequestURI());
                requireDecodable("query string", ctx.queryString());
                String contentType = ctx.header("Content-Type");
                if (contentType != null && contentType.regionMatches(true, 0, "multipart/", 0, 10)) {
                    // No route takes multipart; reading a form from one would fail deep in the servlet layer.
                    throw new ApiProblem(
                            415,
                            "unsupported-media-type",
                            "Unsupported media type",
                            "no route takes multipart bodies; send application/json (the API) or application/x-www-form-urlencoded (console forms)");
                }
                String charset = ctx.req().getCharacterEncoding();
                if (charset != null && !supported(charset)) {
                    throw new ApiProblem(
                            415,
                            "unsupported-media-type",
                            "Unsupported media type",
                            "the charset of the Content-Type is not one this server knows; send UTF-8");
                }
                if (ctx.contentLength() > maxBodyBytes) {
                    discardUpTo(ctx, DRAINED_BODY_BYTES);
                    throw new ApiProblem(
                            413,
                            "too-large",
                            "Request body too large",
                            "the request body has " + ctx.contentLength() + " bytes; the limit is " + maxBodyBytes);
                }
            });
            config.routes.beforeMatched(authentication::check);
            routeGroups.forEach(group -> group.accept(config.routes));
            config.routes.exception(ApiProblem.class, problems::render);
            config.routes.exception(WorkflowException.class, problems::renderWorkflow);
            config.routes.exception(HttpResponseException.class, problems::renderHttp);
            config.routes.exception(StoreUnavailableException.class, problems::renderUnavailable);
            config.routes.exception(Exception.class, problems::renderUnexpected);
            for (int status : new int[] {404, 405}) {
                config.routes.error(status, "*", ctx -> {
                    String type = ctx.res().getContentType();
                    // Not answered yet (no route, or a method it doesn't take); a JSON answer of the route's own
                    // (the MCP gateway's JSON-RPC errors on /mcp) stays as it is.
                    if (ctx.resultInputStream() == null
                            && !ProblemRenderer.CONTENT_TYPE.equals(type)
                            && (type == null || !type.startsWith("application/json"))) {
                        problems.renderStatus(ctx);
                    }
                });
            }
        });
    }

    /**
     * Jetty lets through %-escapes that Javalin's decoder refuses later, deep in a handler
     * ({@code %u0041}); they are the caller's mistake, refused before any route runs.
     */
    private static void requireDecodable(String what, @Nullable String raw) {
        if (raw == null) {
            return;
        }
        try {
            URLDecoder.decode(raw, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest("the " + what + " has a malformed %-escape; escape '%' as %25");
        }
    }

    /**
     * Reads and drops a refused body, when it is no larger than {@code limit}: a client that sends
     * its whole body before reading the answer (most do; few send {@code Expect: 100-continue})
     * would otherwise have the connection closed under it mid-send and never see the 413. A
     * larger body is not read; its connection is closed.
     */
    private static void discardUpTo(Context ctx, long limit) {
        if (ctx.contentLength() > limit) {
            return;
        }
        try {
            ctx.req().getInputStream().transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            // The client went away; the 413 is still the answer.
        }
    }

    private static SslContextFactory.Server sslContext(TlsFiles files) {
        char[] password = new char[32];
        java.security.SecureRandom random = new java.security.SecureRandom();
        for (int i = 0; i < password.length; i++) {
            password[i] = (char) ('a' + random.nextInt(26)); // protects only the in-memory store
        }
        SslContextFactory.Server factory = new SslContextFactory.Server();
        factory.setKeyStore(PemKeyStore.load(files, password));
        factory.setKeyStorePassword(new String(password));
        return factory;
    }

    public ApiServer start() {
        app.start();
        return this;
    }

    public int port() {
        return app.port();
    }

    /** Every HTTP route registered, with its access metadata, as the router has it (filters left out). */
    public List<RouteInfo> routes() {
        return app.unsafe.internalRouter.allHttpHandlers().stream()
                .map(parsed -> parsed.endpoint)
                .filter(endpoint -> endpoint.method.isHttpMethod())
                .map(endpoint -> {
                    Roles roles = endpoint.metadata(Roles.class);
                    Set<Access> access = EnumSet.noneOf(Access.class);
                    if (roles != null) {
                        for (RouteRole role : roles.getRoles()) {
                            if (role instanceof Access known) {
                                access.add(known);
                            }
                        }
                    }
                    // A <param> may span slashes; OpenAPI spells every parameter {param}.
                    String path = endpoint.path.replaceAll("<([^>]+)>", "{$1}");
                    return new RouteInfo(endpoint.method.name(), path, access);
                })
                .toList();
    }

    @Override
    public void close() {
        app.stop();
    }

    private static boolean supported(String charset) {
        try {
            return java.nio.charset.Charset.isSupported(charset);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
