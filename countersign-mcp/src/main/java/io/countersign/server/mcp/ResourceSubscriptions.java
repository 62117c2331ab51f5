package io.countersign.server.mcp;

import static java.util.Objects.requireNonNull;

import io.countersign.identity.Agent;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The protocol side of the requests the gateway answers itself ({@link JsonRpcIntake.Own}): each
 * channel's (a session's, a stdio connection's) resource subscriptions, made through the gateway
 * ({@link ToolService#subscribe}) and withdrawn on {@code resources/unsubscribe} or when the
 * channel closes; and {@code logging/setLevel} where the SDK's server does not answer it.
 */
final class ResourceSubscriptions {
    private final ToolService service;
    private final Map<String, Map<String, ToolService.Subscription>> byChannel = new ConcurrentHashMap<>();

    ResourceSubscriptions(ToolService service) {
        this.service = requireNonNull(service, "service is null");
    }

    /**
     * The JSON-RPC response to {@code request} of {@code agent} on {@code channel}. The updates of
     * what it subscribes to go to {@code deliver} (the URI of each); with none (stateless HTTP, no
     * session an update could reach), a subscribe is decided and acknowledged, and nothing is
     * subscribed upstream. {@code logging/setLevel} is acknowledged: the gateway sends no log
     * notifications where it is answered here (no session to send them on), so there is nothing to filter.
     */
    ObjectNode answer(
            Agent agent,
            String channel,
            JsonRpcIntake.Own request,
            ToolService.Waiting waiting,
            Optional<Consumer<String>> deliver) {
        try {
            switch (request.method()) {
                case JsonRpcIntake.SUBSCRIBE ->
                    subscribe(agent, channel, request.params().get("uri").asString(), waiting, deliver);
                case JsonRpcIntake.UNSUBSCRIBE ->
                    unsubscribe(channel, request.params().get("uri").asString());
                case JsonRpcIntake.SET_LEVEL -> {}
                default -> throw new IllegalStateException("not a method the gateway answers: " + request.method());
            }
        } catch (McpError e) {
            McpSchema.JSONRPCResponse.JSONRPCError error = e.getJsonRpcError();
            return JsonRpcIntake.error(
                    Optional.of(request.id()),
                    error == null ? McpGateway.REFUSED : error.code(),
                    error == null ? String.valueOf(e.getMessage()) : error.message());
        }
        ObjectNode response = JsonNodeFactory.instance.objectNode();
        response.put("jsonrpc", "2.0");
        response.set("id", request.id());
        response.putObject("result");
        return response;
    }

    private void subscribe(
            Agent agent, String channel, String uri, ToolService.Waiting waiting, Optional<Consumer<String>> deliver) {
        if (deliver.isEmpty()) {
            service.subscribe(agent, uri, waiting, Optional.empty()).close();
            return;
        }
        Map<String, ToolService.Subscription> mine =
                byChannel.computeIfAbsent(channel, key -> new ConcurrentHashMap<>());
        if (mine.containsKey(uri)) {
            // Subscribed already: one subscription per URI and channel, as the spec's server keeps them.
            return;
        }
        ToolService.Subscription made = service.subscribe(agent, uri, waiting, deliver);
        ToolService.Subscription before = mine.putIfAbsent(uri, made);
        if (before != null) {
            // Two subscribes of one URI crossed on one channel: one is kept.
            made.close();
        }
    }

    private void unsubscribe(String channel, String uri) {
        Map<String, ToolService.Subscription> mine = byChannel.get(channel);
        ToolService.Subscription subscription = mine == null ? null : mine.remove(uri);
        if (subscription != null) {
            subscription.close();
        }
    }

    /** {@code channel} closed: its subscriptions are withdrawn. */
    void channelClosed(String channel) {
        Map<String, ToolService.Subscription> mine = byChannel.remove(channel);
        if (mine != null) {
            mine.values().forEach(ToolService.Subscription::close);
        }
    }

    /** The notification that tells a client {@code uri} changed. */
    static ObjectNode updated(String uri) {
        ObjectNode notification = JsonNodeFactory.instance.objectNode();
        notification.put("jsonrpc", "2.0");
        notification.put("method", McpSchema.METHOD_NOTIFICATION_RESOURCES_UPDATED);
        notification.putObject("params").put("uri", uri);
        return notification;
    }
}
