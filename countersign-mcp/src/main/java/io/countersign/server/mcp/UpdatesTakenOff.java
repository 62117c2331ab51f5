package io.countersign.server.mcp;

import static java.util.Objects.requireNonNull;

import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * An upstream's client transport with its {@code notifications/resources/updated} taken off before
 * the SDK's client sees them. Told of an update, that client reads the resource upstream itself to
 * hand its consumers the contents: a read the gate never decided. Here only the update's URI goes
 * on, to {@code updated}; the agent that subscribed reads the resource again through the gateway,
 * decided as any read is.
 */
final class UpdatesTakenOff implements McpClientTransport {
    private static final Logger LOG = LoggerFactory.getLogger(UpdatesTakenOff.class);

    private final McpClientTransport transport;
    private final Consumer<String> updated;

    /** {@code updated} runs on the transport's own thread: it must not block. */
    UpdatesTakenOff(McpClientTransport transport, Consumer<String> updated) {
        this.transport = requireNonNull(transport, "transport is null");
        this.updated = requireNonNull(updated, "updated is null");
    }

    @Override
    public Mono<Void> connect(Function<Mono<McpSchema.JSONRPCMessage>, Mono<McpSchema.JSONRPCMessage>> handler) {
        return transport.connect(incoming -> incoming.flatMap(message -> {
            if (!(message instanceof McpSchema.JSONRPCNotification notification)
                    || !McpSchema.METHOD_NOTIFICATION_RESOURCES_UPDATED.equals(notification.method())) {
                return handler.apply(Mono.just(message));
            }
            Optional<String> uri = uriOf(notification.params());
            if (uri.isEmpty()) {
                LOG.debug("mcp: dropped a notifications/resources/updated without a uri");
                return Mono.empty();
            }
            try {
                updated.accept(uri.get());
            } catch (RuntimeException e) {
                LOG.warn("mcp: passing on an update of {} failed: {}", uri.get(), e.getMessage());
            }
            return Mono.empty();
        }));
    }

    private static Optional<String> uriOf(Object params) {
        return params instanceof Map<?, ?> map && map.get("uri") instanceof String uri
                ? Optional.of(uri)
                : Optional.empty();
    }

    @Override
    public void setExceptionHandler(Consumer<Throwable> handler) {
        transport.setExceptionHandler(handler);
    }

    @Override
    public void close() {
        transport.close();
    }

    @Override
    public Mono<Void> closeGracefully() {
        return transport.closeGracefully();
    }

    @Override
    public Mono<Void> sendMessage(McpSchema.JSONRPCMessage message) {
        return transport.sendMessage(message);
    }

    @Override
    public <T> T unmarshalFrom(Object data, TypeRef<T> type) {
        return transport.unmarshalFrom(data, type);
    }

    @Override
    public List<String> protocolVersions() {
        return transport.protocolVersions();
    }
}
