package io.countersign.server;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import io.countersign.server.Http.Response;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The served OpenAPI document, read the way a client generator reads it: its operations (path
 * items resolved through their {@code $ref}s) and, for an answer, the schema its status and
 * content type name, checked by networknt's JSON Schema validator (OpenAPI 3.1 dialect).
 */
final class ApiContract {
    private static final String DOCUMENT_URI = "https://countersign.invalid/v1/openapi.json";
    private static final JsonMapper MAPPER = JsonMapper.builder().build();
    /** The gateway's own API; the console, MCP and proxied upstreams are held by their own tests. */
    private static final List<String> VALIDATED =
            List.of("/v1/", "/healthz", "/readyz", "/metrics", "/integrations/claude-code/");

    private final JsonNode document;
    private final SchemaRegistry registry;
    private final Map<String, Operation> operations;

    ApiContract(String documentJson) {
        this.document = MAPPER.readTree(documentJson);
        this.registry = SchemaRegistry.withDefaultDialect(
                Dialects.getOpenApi31(), builder -> builder.schemas(Map.of(DOCUMENT_URI, documentJson)));
        this.operations = readOperations(document);
    }

    /** The document the server jar carries (openapi.yaml), read once for every test of this JVM. */
    static ApiContract bundled() {
        return Bundled.CONTRACT;
    }

    /** Initialized on first use only (the lazy holder idiom), then never changed. */
    private static final class Bundled {
        static final ApiContract CONTRACT =
                new ApiContract(new String(OpenApiDocument.json(MAPPER), StandardCharsets.UTF_8));
    }

    /** One documented operation: "GET /v1/actions/{id}" and the operation object. */
    record Operation(String method, String path, String pointer, JsonNode node) {
        String name() {
            return method + " " + path;
        }
    }

    /** Every documented operation, keyed "METHOD /path". */
    Map<String, Operation> operations() {
        return operations;
    }

    /**
     * The documented operation a request to {@code path} (a concrete path, query aside) is an
     * answer of: "GET /v1/actions/req_1" is "GET /v1/actions/{id}". A literal segment wins over a
     * parameter where both would match.
     */
    Optional<Operation> operationOf(String method, String path) {
        String[] segments = path.split("/", -1);
        Operation best = null;
        int bestLiterals = -1;
        for (Operation operation : operations.values()) {
            if (!operation.method().equals(method)) {
                continue;
            }
            String[] template = operation.path().split("/", -1);
            if (template.length != segments.length) {
                continue;
            }
            int literals = 0;
            boolean matches = true;
            for (int i = 0; i < template.length && matches; i++) {
                boolean parameter = template[i].startsWith("{") && template[i].endsWith("}");
                if (parameter) {
                    matches = !segments[i].isEmpty();
                } else {
                    matches = template[i].equals(segments[i]);
                    literals++;
                }
            }
            if (matches && literals > bestLiterals) {
                best = operation;
                bestLiterals = literals;
            }
        }
        return Optional.ofNullable(best);
    }

    /**
     * The operation whose documented answers an answer to {@code method path} must match, for the
     * gateway's own API ({@code /v1/}, health, metrics, the Claude Code hook); empty for the console's
     * pages, MCP and proxied upstreams, which their own tests hold, and for a route that is not
     * documented at all (its 404 or 405 is MalformedRequestFuzzTest's).
     */
    Optional<Operation> validatedOperation(String method, String rawPath) {
        if (VALIDATED.stream().noneMatch(rawPath::startsWith)) {
            return Optional.empty();
        }
        return operationOf(method, rawPath);
    }

    private static Map<String, Operation> readOperations(JsonNode document) {
        Map<String, Operation> operations = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> path : document.path("paths").properties()) {
            String itemPointer = "/paths/" + escape(path.getKey());
            JsonNode item = path.getValue();
            if (item.has("$ref")) {
                itemPointer = item.path("$ref").asString().substring(1);
                item = document.at(itemPointer);
            }
            for (Map.Entry<String, JsonNode> method : item.properties()) {
                if (List.of("get", "head", "options", "put", "post", "delete", "patch")
                        .contains(method.getKey())) {
                    String name = method.getKey().toUpperCase(Locale.ROOT);
                    operations.put(
                            name + " " + path.getKey(),
                            new Operation(name, path.getKey(), itemPointer + "/" + method.getKey(), method.getValue()));
                }
            }
        }
        return Collections.unmodifiableMap(operations);
    }

    /**
     * What is wrong with {@code answer} as an answer of {@code operation} ("POST /v1/actions"):
     * an undocumented status or content type, or the body's schema errors. Empty when it conforms.
     */
    List<String> violations(String operation, Response answer) {
        Operation documented = operations.get(operation);
        if (documented == null) {
            return List.of(operation + " is not documented");
        }
        String responsePointer = documented.pointer() + "/responses/" + answer.status();
        JsonNode response = document.at(responsePointer);
        if (response.isMissingNode()) {
            return List.of(operation + " answered " + answer.status() + ", which is not documented: " + answer.body());
        }
        if (response.has("$ref")) {
            responsePointer = response.path("$ref").asString().substring(1);
            response = document.at(responsePointer);
        }
        String contentType = answer.contentType().split(";")[0].trim();
        if (!response.has("content")) {
            return List.of();
        }
        if (!response.path("content").has(contentType)) {
            return List.of(operation + " " + answer.status() + " answered " + contentType + ", documented: "
                    + response.path("content").propertyNames());
        }
        if (!contentType.equals("application/json") && !contentType.endsWith("+json")) {
            return List.of();
        }
        String schemaPointer = responsePointer + "/content/" + escape(contentType) + "/schema";
        Schema schema = registry.getSchema(SchemaLocation.of(DOCUMENT_URI + "#" + schemaPointer));
        List<String> violations = new ArrayList<>();
        for (Error error : schema.validate(answer.body(), InputFormat.JSON)) {
            violations.add(operation + " " + answer.status() + ": " + error.getInstanceLocation() + " "
                    + error.getMessage() + " in " + answer.body());
        }
        return violations;
    }

    Optional<JsonNode> node(String pointer) {
        JsonNode node = document.at(pointer);
        return node.isMissingNode() ? Optional.empty() : Optional.of(node);
    }

    private static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }
}
