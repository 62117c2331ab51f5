package io.countersign.server.http;

import static java.util.Objects.requireNonNull;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.jspecify.annotations.Nullable;

/**
 * The errors Jetty answers itself, before any route runs (a bad %-encoding, a URI or headers too
 * long, a bad or repeated Content-Length, Transfer-Encoding beside Content-Length, no Host), in our
 * formats instead of Jetty's HTML: the console's error page under the console's paths,
 * problem+json everywhere else. A request line Jetty refuses outright (a URI too long, a bare
 * '%', %00, a space) leaves no path to go by (Jetty says {@code /badMessage}, before any header
 * is read): those get problem+json wherever they were sent.
 */
final class JettyErrors extends ErrorHandler {
    private static final int MAX_INSTANCE = 256;

    private final ProblemRenderer problems;
    private final List<ErrorPage> pages;

    JettyErrors(ProblemRenderer problems, List<ErrorPage> pages) {
        this.problems = requireNonNull(problems, "problems is null");
        this.pages = List.copyOf(requireNonNull(pages, "pages is null"));
    }

    /** Jetty renders bodies for GET, POST and HEAD only; a PUT's framing error must say what went wrong too. */
    @Override
    public boolean errorPageForMethod(String method) {
        return true;
    }

    @Override
    protected void generateResponse(
            Request request,
            Response response,
            int code,
            @Nullable String message,
            @Nullable Throwable cause,
            Callback callback) {
        String path = rawPath(request);
        ApiProblem problem = ProblemRenderer.forStatus(code, plain(message));
        byte[] body;
        String type;
        Optional<ErrorPage> page = ProblemRenderer.covering(pages, path);
        if (page.isPresent()) {
            body = page.get().html(problem.status(), problem.detail()).getBytes(StandardCharsets.UTF_8);
            type = page.get().contentType();
        } else {
            body = problems.body(
                    problem, path.length() > MAX_INSTANCE ? path.substring(0, MAX_INSTANCE) : path, Optional.empty());
            type = ProblemRenderer.CONTENT_TYPE;
        }
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, Long.toString(body.length));
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    /** A message the HTTP parser refused before there was a request at all: no path to go by, so problem+json. */
    @Override
    public ByteBuffer badMessageError(int status, @Nullable String reason, HttpFields.Mutable fields) {
        ApiProblem problem = ProblemRenderer.forStatus(status, plain(reason));
        fields.put(new HttpField(HttpHeader.CONTENT_TYPE, ProblemRenderer.CONTENT_TYPE));
        return ByteBuffer.wrap(problems.body(problem, "", Optional.empty()));
    }

    private static String rawPath(Request request) {
        try {
            String path = request.getHttpURI().getPath();
            return path == null ? "" : path;
        } catch (RuntimeException unparsable) {
            return "";
        }
    }

    /** Jetty's reason phrases are plain words ("Bad Request", "Ambiguous URI path encoding"); anything else is dropped. */
    private static @Nullable String plain(@Nullable String message) {
        if (message == null || message.length() > 200 || !message.matches("[\\p{Alnum} .,:;'()/_-]*")) {
            return null;
        }
        return message;
    }
}
