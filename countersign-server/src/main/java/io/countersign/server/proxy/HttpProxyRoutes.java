package io.countersign.server.proxy;

import static java.util.Objects.requireNonNull;

import io.countersign.identity.Agent;
import io.countersign.proxy.Login;
import io.countersign.proxy.http.HttpProxy;
import io.countersign.proxy.http.ProxiedRequest;
import io.countersign.proxy.http.ProxyAnswer;
import io.countersign.server.http.Access;
import io.countersign.server.http.ApiProblem;
import io.countersign.server.http.Authentication;
import io.countersign.server.http.ProblemRenderer;
import io.countersign.server.http.RequestIds;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code /proxy/{name}/*}: the HTTP API proxy's edge. Reads the agent (authenticated like every
 * API route, by its bearer key, which goes no further), the raw path and the bounded body, hands
 * them to {@link HttpProxy} and writes what it answers: the upstream's stream, or problem+json.
 */
public final class HttpProxyRoutes {
    public static final String PATH = "/proxy/{name}/*";
    /** HEAD and OPTIONS are decided like the others ({@code http.<name>.head}): nothing is answered here for them. */
    private static final List<HandlerType> METHODS = List.of(
            HandlerType.GET,
            HandlerType.HEAD,
            HandlerType.OPTIONS,
            HandlerType.POST,
            HandlerType.PUT,
            HandlerType.PATCH,
            HandlerType.DELETE);

    private final HttpProxy proxy;
    private final JsonMapper mapper;

    public HttpProxyRoutes(HttpProxy proxy, JsonMapper mapper) {
        this.proxy = requireNonNull(proxy, "proxy is null");
        this.mapper = requireNonNull(mapper, "mapper is null");
    }

    public void register(RoutesConfig routes) {
        for (HandlerType method : METHODS) {
            routes.addHttpHandler(method, PATH, this::forward, Access.AGENT);
        }
    }

    private void forward(Context ctx) throws IOException {
        Agent agent = Authentication.agent(ctx);
        Login.Admitted admitted =
                new Login.Admitted(agent, Authentication.caller(ctx).scopes());
        String name = ctx.pathParam("name");
        String uri = ctx.req().getRequestURI();
        String prefix = "/proxy/" + name;
        if (!proxy.serves(name) || !uri.startsWith(prefix + "/")) {
            throw ApiProblem.notFound("no upstream named '" + name + "' is configured");
        }
        ProxiedRequest request = new ProxiedRequest(
                name,
                ctx.method().name(),
                uri.substring(prefix.length()),
                Objects.requireNonNullElse(ctx.queryString(), ""),
                headers(ctx),
                body(ctx, proxy.maxBodyBytes(name)));
        ProxyAnswer answer = proxy.handle(admitted, request, (status, headers) -> {
            ctx.status(status);
            headers.forEach((header, values) -> {
                // set first: the upstream's Date or Content-Type replaces the server's own
                ctx.res().setHeader(header, values.getFirst());
                values.stream().skip(1).forEach(value -> ctx.res().addHeader(header, value));
            });
            return ctx.res().getOutputStream();
        });
        if (answer instanceof ProxyAnswer.Problem problem) {
            ObjectNode body = mapper.createObjectNode();
            body.put("type", "urn:countersign:problem:" + problem.slug());
            body.put("title", problem.title());
            body.put("status", problem.status());
            body.put("detail", problem.detail());
            body.put("instance", ctx.path());
            String requestId = ctx.attribute(RequestIds.ATTRIBUTE);
            if (requestId != null) {
                body.put("requestId", requestId);
            }
            problem.members().forEach((member, value) -> body.set(member, mapper.valueToTree(value)));
            if (problem.members().get("countersignRequest") instanceof String held) {
                ctx.header(HttpProxy.RETRY_HEADER, held);
            }
            ctx.status(problem.status())
                    .contentType(ProblemRenderer.CONTENT_TYPE)
                    .result(mapper.writeValueAsBytes(body));
        }
    }

    private static Map<String, List<String>> headers(Context ctx) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String header : Collections.list(ctx.req().getHeaderNames())) {
            headers.computeIfAbsent(header, key -> new ArrayList<>())
                    .addAll(Collections.list(ctx.req().getHeaders(header)));
        }
        return headers;
    }

    /** The whole body up to {@code limit}; one byte more is a 413 (a chunked body has no length to check first). */
    private static byte[] body(Context ctx, long limit) throws IOException {
        InputStream in = ctx.req().getInputStream();
        byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
        if (body.length > limit) {
            throw new ApiProblem(
                    413,
                    "too-large",
                    "Request body too large",
                    "the request body is over the " + limit + " bytes upstream '" + ctx.pathParam("name") + "' takes");
        }
        return body;
    }
}
