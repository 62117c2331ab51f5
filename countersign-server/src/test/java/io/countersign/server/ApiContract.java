package io.countersign.server;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import io.countersign.server.Http.Response;
import java.util.ArrayList;
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

    private final JsonNode document;
    private final SchemaRegistry registry;

    ApiContract(String documentJson) {
        this.document = MAPPER.readTree(documentJson);
        this.registry = SchemaRegistry.withDefaultDialect(
                Dialects.getOpenApi31(), builder -> builder.schemas(Map.of(DOCUMENT_URI, documentJson)));
    }

    /** One documented operation: "GET /v1/actions/{id}" and the operation object. */
    record Operation(String method, String path, String pointer, JsonNode node) {
        String name() {
            return method + " " + path;
        }
    }

    /** Every documented operation, keyed "METHOD /path". */
    Map<String, Operation> operations() {
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
        return operations;
    }

    /**
     * What is wrong with {@code answer} as an answer of {@code operation} ("POST /v1/actions"):
     * an undocumented status or content type, or the body's schema errors. Empty when it conforms.
     */
    List<String> violations(String operation, Response answer) {
        Operation documented = operations().get(operation);
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
