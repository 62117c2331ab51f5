package io.countersign.server.mcp;

import static java.util.Objects.requireNonNull;

import io.countersign.canonical.CanonicalJson;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The pin file, {@code mcp-pins.json} in the data folder: per tool ({@code server/tool}) the
 * SHA-256 of the definition first seen (the canonical JSON, RFC 8785, of its name, title,
 * description, input and output schemas and annotations) and that definition; while the upstream
 * presents another definition, that one's hash and definition, and when it was first noticed:
 *
 * <pre>
 * {"files/write_file": {"sha256": "9f2c...", "definition": {...},
 *                       "changed": {"sha256": "41ab...", "at": "2026-11-24T05:00:00Z", "definition": {...}}}}
 * </pre>
 *
 * A file, not a table, so this needs no migration in either store; each gateway node pins against
 * its own data folder. The command line changes it while a gateway runs ({@code countersign mcp
 * pins accept}): a gateway re-reads it when it asks about a changed tool and the file is newer
 * than what it read. Plain string values (the first version of the file) read as a pin without a
 * change. Thread-safe.
 */
final class ToolPins {
    static final String FILE = "mcp-pins.json";

    /** A tool whose upstream presents a definition other than the pinned one. */
    record Change(String key, String pinned, String presented, Instant noticedAt) {
        Change {
            requireNonNull(key, "key is null");
            requireNonNull(pinned, "pinned is null");
            requireNonNull(presented, "presented is null");
            requireNonNull(noticedAt, "noticedAt is null");
        }
    }

    /**
     * A pin: the pinned hash and definition, and a change waiting with its definition. The
     * definitions are empty in pins from before they were kept, until the tool is seen again.
     */
    private record Pin(
            String sha256,
            Optional<JsonNode> definition,
            Optional<Change> change,
            Optional<JsonNode> changedDefinition) {
        Pin(String sha256, Optional<JsonNode> definition) {
            this(sha256, definition, Optional.empty(), Optional.empty());
        }
    }

    /** What {@link #see} found: first sight (now pinned), the pinned definition, or a change (new since the last look or not). */
    sealed interface Sighting {
        record FirstSight(String sha256) implements Sighting {}

        record Unchanged() implements Sighting {}

        record Changed(Change change, boolean news) implements Sighting {}
    }

    private final @Nullable Path file;
    private final JsonMapper mapper;
    private Map<String, Pin> pins;
    private @Nullable FileTime loadedAt;

    private ToolPins(@Nullable Path file, JsonMapper mapper) {
        this.file = file;
        this.mapper = mapper;
        this.pins = file == null ? new TreeMap<>() : read();
    }

    static ToolPins open(Path dataDirectory, JsonMapper mapper) {
        requireNonNull(dataDirectory, "dataDirectory is null");
        return new ToolPins(dataDirectory.resolve(FILE), requireNonNull(mapper, "mapper is null"));
    }

    /** An empty pin store that never writes (tests, and the bench without a data folder). */
    static ToolPins inMemory(JsonMapper mapper) {
        return new ToolPins(null, requireNonNull(mapper, "mapper is null"));
    }

    static String key(String server, String tool) {
        return server + "/" + tool;
    }

    /** What a tool's definition hashes to. */
    String hash(McpSchema.Tool tool) {
        return McpGateway.sha256(CanonicalJson.bytes(definition(tool)));
    }

    /** The part of a tool's definition that is pinned, as JSON (the audit log shows a changed one). */
    JsonNode definition(McpSchema.Tool tool) {
        Map<String, Object> definition = new LinkedHashMap<>();
        definition.put("name", tool.name());
        definition.put("title", tool.title());
        definition.put("description", tool.description());
        definition.put("inputSchema", tool.inputSchema());
        definition.put("outputSchema", tool.outputSchema());
        definition.put("annotations", tool.annotations());
        return mapper.valueToTree(definition);
    }

    /**
     * Compares the definition an upstream presents with its pin: pins it on first sight, records a
     * change the first time it is presented (and again when it changes once more), and forgets a
     * recorded change when the pinned definition is back.
     */
    synchronized Sighting see(String server, McpSchema.Tool tool, Instant now) {
        reloadIfNewer();
        String key = key(server, tool.name());
        String presented = hash(tool);
        Pin pin = pins.get(key);
        JsonNode definition = definition(tool);
        if (pin == null) {
            pins.put(key, new Pin(presented, Optional.of(definition)));
            save();
            return new Sighting.FirstSight(presented);
        }
        if (pin.sha256().equals(presented)) {
            if (pin.change().isPresent() || pin.definition().isEmpty()) {
                pins.put(key, new Pin(pin.sha256(), Optional.of(definition)));
                save();
            }
            return new Sighting.Unchanged();
        }
        if (pin.change().isPresent() && pin.change().get().presented().equals(presented)) {
            return new Sighting.Changed(pin.change().get(), false);
        }
        Change change = new Change(key, pin.sha256(), presented, now);
        pins.put(key, new Pin(pin.sha256(), pin.definition(), Optional.of(change), Optional.of(definition)));
        save();
        return new Sighting.Changed(change, true);
    }

    /** The tool's change waiting for an admin, if any; reads the file again if someone else changed it. */
    synchronized Optional<Change> changed(String server, String tool) {
        Pin pin = pins.get(key(server, tool));
        if (pin == null || pin.change().isEmpty()) {
            return Optional.empty();
        }
        // Only a changed tool pays for the look at the file: the command line may have accepted it.
        reloadIfNewer();
        pin = pins.get(key(server, tool));
        return pin == null ? Optional.empty() : pin.change();
    }

    /** The pinned definition of a tool, where the file has it. */
    synchronized Optional<JsonNode> pinnedDefinition(String server, String tool) {
        Pin pin = pins.get(key(server, tool));
        return pin == null ? Optional.empty() : pin.definition();
    }

    /** Every change waiting for an admin, by key. */
    synchronized List<Change> changes() {
        reloadIfNewer();
        return pins.values().stream().flatMap(pin -> pin.change().stream()).toList();
    }

    /** Makes the presented definition the pin; empty when {@code key} has no change waiting. */
    synchronized Optional<Change> accept(String key) {
        reloadIfNewer();
        Pin pin = pins.get(key);
        if (pin == null || pin.change().isEmpty()) {
            return Optional.empty();
        }
        Change change = pin.change().get();
        pins.put(key, new Pin(change.presented(), pin.changedDefinition()));
        save();
        return Optional.of(change);
    }

    private void reloadIfNewer() {
        if (file == null || !Files.exists(file)) {
            return;
        }
        try {
            FileTime modified = Files.getLastModifiedTime(file);
            if (loadedAt == null || modified.compareTo(loadedAt) > 0) {
                pins = read();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("can't read the tool pins " + file, e);
        }
    }

    private Map<String, Pin> read() {
        Map<String, Pin> read = new TreeMap<>();
        if (!Files.exists(file)) {
            return read;
        }
        try {
            FileTime modified = Files.getLastModifiedTime(file);
            JsonNode root = mapper.readTree(Files.readString(file));
            if (!root.isObject()) {
                throw new IllegalStateException("want a JSON object");
            }
            for (Map.Entry<String, JsonNode> entry : root.properties()) {
                JsonNode value = entry.getValue();
                if (value.isString()) {
                    read.put(entry.getKey(), new Pin(value.asString(), Optional.empty()));
                    continue;
                }
                JsonNode changed = value.path("changed");
                Optional<Change> change = changed.isObject()
                        ? Optional.of(new Change(
                                entry.getKey(),
                                text(value, "sha256"),
                                text(changed, "sha256"),
                                Instant.parse(text(changed, "at"))))
                        : Optional.empty();
                read.put(
                        entry.getKey(),
                        new Pin(
                                text(value, "sha256"),
                                object(value, "definition"),
                                change,
                                object(changed, "definition")));
            }
            loadedAt = modified;
            return read;
        } catch (IOException e) {
            throw new UncheckedIOException("can't read the tool pins " + file, e);
        } catch (RuntimeException e) {
            throw new IllegalStateException(
                    "the tool pins " + file + " are not what the gateway writes: " + e.getMessage(), e);
        }
    }

    private static Optional<JsonNode> object(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isObject() ? Optional.of(value) : Optional.empty();
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isString()) {
            throw new IllegalStateException("'" + field + "' is missing or not a string");
        }
        return value.asString();
    }

    private void save() {
        if (file == null) {
            return;
        }
        ObjectNode root = mapper.createObjectNode();
        pins.forEach((key, pin) -> {
            ObjectNode entry = root.putObject(key);
            entry.put("sha256", pin.sha256());
            pin.definition().ifPresent(definition -> entry.set("definition", definition));
            pin.change().ifPresent(change -> {
                ObjectNode changed = entry.putObject("changed")
                        .put("sha256", change.presented())
                        .put("at", change.noticedAt().toString());
                pin.changedDefinition().ifPresent(definition -> changed.set("definition", definition));
            });
        });
        try {
            Path temporary = file.resolveSibling(FILE + ".tmp");
            Files.writeString(temporary, mapper.writerWithDefaultPrettyPrinter().writeValueAsString(root));
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            loadedAt = Files.getLastModifiedTime(file);
        } catch (IOException e) {
            throw new UncheckedIOException("can't write the tool pins " + file, e);
        }
    }
}
