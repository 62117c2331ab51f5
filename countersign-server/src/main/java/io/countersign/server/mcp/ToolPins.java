package io.countersign.server.mcp;

import static java.util.Objects.requireNonNull;

import io.countersign.canonical.CanonicalJson;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Tool pinning: the SHA-256 of each upstream tool's definition (the canonical JSON, RFC 8785, of
 * its name, title, description, input and output schemas and annotations) recorded on first sight
 * in {@code mcp-pins.json} in the data folder. A definition that no longer matches its pin is
 * "changed": the gateway denies that tool's calls until an admin accepts the new definition by
 * removing its entry from the file (the next start pins it again). A file, not a table, so this
 * needs no migration in either store; one gateway node owns its data folder.
 */
final class ToolPins {
    static final String FILE = "mcp-pins.json";

    private final Path file;
    private final JsonMapper mapper;
    private final Map<String, String> pins;

    private ToolPins(Path file, JsonMapper mapper, Map<String, String> pins) {
        this.file = file;
        this.mapper = mapper;
        this.pins = pins;
    }

    static ToolPins open(Path dataDirectory, JsonMapper mapper) {
        requireNonNull(dataDirectory, "dataDirectory is null");
        Path file = dataDirectory.resolve(FILE);
        Map<String, String> pins = new TreeMap<>();
        if (Files.exists(file)) {
            try {
                JsonNode root = mapper.readTree(Files.readString(file));
                root.properties().forEach(entry -> pins.put(entry.getKey(), entry.getValue().asString()));
            } catch (IOException e) {
                throw new UncheckedIOException("can't read the tool pins " + file, e);
            } catch (RuntimeException e) {
                throw new IllegalStateException("the tool pins " + file + " are not a JSON object of hashes: " + e.getMessage(), e);
            }
        }
        return new ToolPins(file, mapper, pins);
    }

    /** An empty pin store that never writes (tests, and the bench without a data folder). */
    static ToolPins inMemory(JsonMapper mapper) {
        return new ToolPins(null, mapper, new TreeMap<>());
    }

    /** What a tool's definition hashes to. */
    String hash(McpSchema.Tool tool) {
        Map<String, Object> definition = new LinkedHashMap<>();
        definition.put("name", tool.name());
        definition.put("title", tool.title());
        definition.put("description", tool.description());
        definition.put("inputSchema", tool.inputSchema());
        definition.put("outputSchema", tool.outputSchema());
        definition.put("annotations", tool.annotations());
        JsonNode node = mapper.valueToTree(definition);
        return McpGateway.sha256(CanonicalJson.bytes(node));
    }

    /** Pins the tool on first sight; the pinned hash when the definition has changed since, else empty. */
    synchronized Optional<String> check(String server, McpSchema.Tool tool) {
        String key = server + "/" + tool.name();
        String now = hash(tool);
        String pinned = pins.putIfAbsent(key, now);
        if (pinned == null) {
            save();
            return Optional.empty();
        }
        return pinned.equals(now) ? Optional.empty() : Optional.of(pinned);
    }

    private void save() {
        if (file == null) {
            return;
        }
        ObjectNode root = mapper.createObjectNode();
        pins.forEach(root::put);
        try {
            Path temporary = file.resolveSibling(FILE + ".tmp");
            Files.writeString(temporary, mapper.writerWithDefaultPrettyPrinter().writeValueAsString(root));
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("can't write the tool pins " + file, e);
        }
    }
}
