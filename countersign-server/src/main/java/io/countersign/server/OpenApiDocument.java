package io.countersign.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import tools.jackson.databind.json.JsonMapper;

/**
 * The API's OpenAPI 3.1 document. It is kept in the repository as YAML ({@code openapi.yaml}
 * beside this class), for people to read and review, and served as JSON at {@code GET
 * /v1/openapi.json}, converted once at start.
 */
final class OpenApiDocument {
    static final String RESOURCE = "openapi.yaml";

    private OpenApiDocument() {}

    /** The document as JSON bytes. A resource that is missing or is not YAML is a build bug and fails the start. */
    static byte[] json(JsonMapper mapper) {
        try (InputStream in = OpenApiDocument.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(
                        "the jar has no " + RESOURCE + " beside " + OpenApiDocument.class.getName());
            }
            Object tree = new Yaml(new SafeConstructor(new LoaderOptions()))
                    .load(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            return mapper.writeValueAsBytes(tree);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + RESOURCE, e);
        }
    }
}
