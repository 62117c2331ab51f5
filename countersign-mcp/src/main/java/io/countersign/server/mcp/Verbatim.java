package io.countersign.server.mcp;

import io.modelcontextprotocol.spec.McpSchema;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.BeanDescription;
import tools.jackson.databind.DeserializationConfig;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.JacksonModule;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationConfig;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.ValueSerializer;
import tools.jackson.databind.deser.ValueDeserializerModifier;
import tools.jackson.databind.deser.std.DelegatingDeserializer;
import tools.jackson.databind.module.SimpleModule;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.ser.ValueSerializerModifier;

/**
 * What an upstream sent, passed on as it sent it. The MCP SDK reads tool definitions and results
 * into records that drop what they don't name ({@code execution}, {@code icons} on a resource
 * link, fields of a later revision) and write their keys in their own order. The gateway needs the
 * typed view (the policy reads annotations, arguments are checked against schemas), so each such
 * value read from an upstream carries its JSON in its {@code _meta}, under {@link #KEY}; written
 * to an agent, that JSON is written instead of the record. Only values read through this module
 * carry it: {@code _meta} read from the wire holds maps and strings, never a {@link Json}.
 */
final class Verbatim {
    /** Where a typed value carries its JSON; never sent (the JSON is sent in its place). */
    static final String KEY = "io.countersign/verbatim";

    /** The JSON of one value, as the upstream sent it (key order kept). */
    record Json(ObjectNode node) {
        Json {
            node = node.deepCopy();
        }
    }

    /** How to reach the {@code _meta} of one of the spec's types, and rebuild it with another. */
    private record Kind<T>(
            Class<T> type, Function<T, Map<String, Object>> meta, BiFunction<T, Map<String, Object>, T> withMeta) {
        Object attach(Object value, ObjectNode node) {
            T typed = type.cast(value);
            Map<String, Object> meta = new LinkedHashMap<>();
            Map<String, Object> own = this.meta.apply(typed);
            if (own != null) {
                meta.putAll(own);
            }
            meta.put(KEY, new Json(node));
            return withMeta.apply(typed, meta);
        }

        Optional<ObjectNode> of(Object value) {
            return Verbatim.of(meta.apply(type.cast(value)));
        }
    }

    private static final List<Kind<?>> KINDS = List.of(
            new Kind<>(
                    McpSchema.Tool.class,
                    McpSchema.Tool::meta,
                    (t, meta) -> new McpSchema.Tool(
                            t.name(),
                            t.title(),
                            t.description(),
                            t.inputSchema(),
                            t.outputSchema(),
                            t.annotations(),
                            meta,
                            t.icons())),
            new Kind<>(
                    McpSchema.CallToolResult.class,
                    McpSchema.CallToolResult::meta,
                    (r, meta) -> new McpSchema.CallToolResult(r.content(), r.isError(), r.structuredContent(), meta)),
            new Kind<>(
                    McpSchema.Resource.class,
                    McpSchema.Resource::meta,
                    (r, meta) -> new McpSchema.Resource(
                            r.uri(),
                            r.name(),
                            r.title(),
                            r.description(),
                            r.mimeType(),
                            r.size(),
                            r.annotations(),
                            meta,
                            r.icons())),
            new Kind<>(
                    McpSchema.ResourceTemplate.class,
                    McpSchema.ResourceTemplate::meta,
                    (r, meta) -> new McpSchema.ResourceTemplate(
                            r.uriTemplate(),
                            r.name(),
                            r.title(),
                            r.description(),
                            r.mimeType(),
                            r.annotations(),
                            meta,
                            r.icons())),
            new Kind<>(
                    McpSchema.Prompt.class,
                    McpSchema.Prompt::meta,
                    (p, meta) ->
                            new McpSchema.Prompt(p.name(), p.title(), p.description(), p.arguments(), meta, p.icons())),
            new Kind<>(
                    McpSchema.ReadResourceResult.class,
                    McpSchema.ReadResourceResult::meta,
                    (r, meta) -> new McpSchema.ReadResourceResult(r.contents(), meta)),
            new Kind<>(
                    McpSchema.GetPromptResult.class,
                    McpSchema.GetPromptResult::meta,
                    (r, meta) -> new McpSchema.GetPromptResult(r.description(), r.messages(), meta)),
            new Kind<>(
                    McpSchema.CompleteResult.class,
                    McpSchema.CompleteResult::meta,
                    (r, meta) -> new McpSchema.CompleteResult(r.completion(), meta)));

    private Verbatim() {}

    /** The Jackson module that keeps and writes the JSON of the spec's values an upstream sends. */
    static JacksonModule module() {
        SimpleModule module = new SimpleModule("countersign-mcp-verbatim");
        module.setDeserializerModifier(new ValueDeserializerModifier() {
            private static final long serialVersionUID = 1L;

            @Override
            public ValueDeserializer<?> modifyDeserializer(
                    DeserializationConfig config, BeanDescription.Supplier description, ValueDeserializer<?> found) {
                return kind(description.getBeanClass())
                        .<ValueDeserializer<?>>map(kind -> new Keeping(found, kind))
                        .orElse(found);
            }
        });
        module.setSerializerModifier(new ValueSerializerModifier() {
            private static final long serialVersionUID = 1L;

            @Override
            public ValueSerializer<?> modifySerializer(
                    SerializationConfig config, BeanDescription.Supplier description, ValueSerializer<?> found) {
                return kind(description.getBeanClass())
                        .<ValueSerializer<?>>map(kind -> new Writing(found, kind))
                        .orElse(found);
            }
        });
        return module;
    }

    /** The JSON {@code value} was read from, if it was read from an upstream. */
    static Optional<ObjectNode> of(Object value) {
        return kind(value.getClass()).flatMap(kind -> kind.of(value));
    }

    /** {@code value} carrying {@code node} as its JSON (the gateway renames a tool, say). */
    @SuppressWarnings("unchecked")
    static <T> T with(T value, ObjectNode node) {
        return (T) kind(value.getClass())
                .orElseThrow(() -> new IllegalArgumentException(value.getClass() + " does not carry its JSON"))
                .attach(value, node);
    }

    /** {@code meta} without the JSON it carries, for a value the gateway changed. */
    static @Nullable Map<String, Object> without(@Nullable Map<String, Object> meta) {
        if (meta == null || !meta.containsKey(KEY)) {
            return meta;
        }
        Map<String, Object> rest = new LinkedHashMap<>(meta);
        rest.remove(KEY);
        return rest.isEmpty() ? null : rest;
    }

    private static Optional<ObjectNode> of(Map<String, Object> meta) {
        return meta != null && meta.get(KEY) instanceof Json json ? Optional.of(json.node()) : Optional.empty();
    }

    private static Optional<Kind<?>> kind(Class<?> type) {
        return KINDS.stream().filter(kind -> kind.type().equals(type)).findFirst();
    }

    /** Reads the JSON first, then the record from it, and lets the record carry it. */
    private static final class Keeping extends DelegatingDeserializer {
        private final Kind<?> kind;

        Keeping(ValueDeserializer<?> delegate, Kind<?> kind) {
            super(delegate);
            this.kind = kind;
        }

        @Override
        protected ValueDeserializer<?> newDelegatingInstance(ValueDeserializer<?> delegate) {
            return new Keeping(delegate, kind);
        }

        @Override
        public Object deserialize(JsonParser parser, DeserializationContext context) {
            JsonNode tree = context.readTree(parser);
            Object typed;
            try (JsonParser again = tree.traverse(context)) {
                again.nextToken();
                typed = _delegatee.deserialize(again, context);
            }
            return tree instanceof ObjectNode object && typed != null ? kind.attach(typed, object) : typed;
        }
    }

    /** Writes the JSON a value carries in place of the value; one that carries none as the SDK would. */
    private static final class Writing extends ValueSerializer<Object> {
        private final ValueSerializer<Object> delegate;
        private final Kind<?> kind;

        @SuppressWarnings("unchecked")
        Writing(ValueSerializer<?> delegate, Kind<?> kind) {
            this.delegate = (ValueSerializer<Object>) delegate;
            this.kind = kind;
        }

        @Override
        public void resolve(SerializationContext context) {
            delegate.resolve(context);
        }

        @Override
        public ValueSerializer<?> createContextual(
                SerializationContext context, tools.jackson.databind.BeanProperty property) {
            ValueSerializer<?> contextual = delegate.createContextual(context, property);
            return contextual == delegate ? this : new Writing(contextual, kind);
        }

        @Override
        public void serialize(Object value, JsonGenerator generator, SerializationContext context) {
            Optional<ObjectNode> json = kind.of(value);
            if (json.isPresent()) {
                generator.writeTree(json.get());
            } else {
                delegate.serialize(value, generator, context);
            }
        }
    }
}
