package io.countersign.server.mcp;

import static java.util.Objects.requireNonNull;

import io.modelcontextprotocol.spec.McpSchema;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The tools the gateway serves agents: each upstream's tools as it listed them, under the names
 * agents call them by ({@link ToolNames#exposed}), each routed to its upstream and action. Listed
 * again when an upstream says its tools changed or is started again, checked against their pins
 * each time ({@link ToolPinning}); none of an upstream while it is down. A tool whose action name
 * another tool of its server maps to, or whose name two upstreams list, is not served.
 */
final class ServedTools {
    private static final Logger LOG = LoggerFactory.getLogger(ServedTools.class);

    private final ToolPinning pins;
    private final boolean prefixed;
    private final List<Consumer<List<McpSchema.Tool>>> toolListeners = new CopyOnWriteArrayList<>();
    private final Object refreshing = new Object();
    private volatile Served served;

    /** Where a served tool's calls go: its upstream, the tool as the upstream names it, and its action. */
    record Route(Upstream upstream, McpSchema.Tool tool, String action) {}

    /** What is served at one time: each upstream's tools as it listed them, and what follows from those. */
    private record Served(
            Map<Upstream, List<McpSchema.Tool>> listed,
            Map<String, Route> routes,
            List<McpSchema.Tool> tools,
            Map<String, McpToolPolicy.ServedTool> byAction) {}

    /** Lists the upstreams' tools and follows their changes; {@code prefixed}: names are {@code server__tool}. */
    ServedTools(List<Upstream> upstreams, ToolPinning pins, boolean prefixed) {
        this.pins = requireNonNull(pins, "pins is null");
        this.prefixed = prefixed;
        Map<Upstream, List<McpSchema.Tool>> listed = new LinkedHashMap<>();
        for (Upstream upstream : upstreams) {
            listed.put(upstream, firstListing(upstream));
        }
        this.served = serve(listed);
        upstreams.forEach(upstream -> {
            upstream.onToolsChanged(() -> refresh(upstream));
            // Lost: its tools are unlisted (sessions are told) until it answers again; then they are
            // listed again and checked against their pins, as on any change.
            upstream.whenDown(why -> reserve());
            upstream.onRestarted(() -> refresh(upstream));
        });
        pins.onAccepted(this::reserve);
        // One that came up between its first listing and the listener's registration is listed now.
        upstreams.stream()
                .filter(upstream -> upstream.down().isEmpty()
                        && served.listed().getOrDefault(upstream, List.of()).isEmpty())
                .forEach(this::refresh);
    }

    /** The tools agents see now. */
    List<McpSchema.Tool> tools() {
        return served.tools();
    }

    /** Where calls to the tool agents call {@code name} go; none if no such tool is served. */
    Optional<Route> route(String name) {
        return Optional.ofNullable(served.routes().get(name));
    }

    /** The names agents may call, sorted (for an error that names them). */
    List<String> names() {
        return served.routes().keySet().stream().sorted().toList();
    }

    /** The served tool whose calls are {@code action}, for the policy; null if none is. */
    McpToolPolicy.@Nullable ServedTool byAction(String action) {
        return served.byAction().get(action);
    }

    /**
     * The tools of an upstream as the gateway starts: none while it is down (it did not start, or
     * died since); they are listed once it answers ({@link Upstream#onRestarted}).
     */
    private List<McpSchema.Tool> firstListing(Upstream upstream) {
        if (upstream.down().isPresent()) {
            return List.of();
        }
        List<McpSchema.Tool> tools;
        try {
            tools = upstream.tools();
        } catch (RuntimeException e) {
            LOG.warn("mcp upstream={} could not list its tools at start: {}", upstream.name(), e.getMessage());
            return List.of();
        }
        tools.forEach(tool -> pins.see(upstream.name(), tool));
        return tools;
    }

    private Served serve(Map<Upstream, List<McpSchema.Tool>> listed) {
        Map<String, Route> byName = new LinkedHashMap<>();
        Map<String, McpToolPolicy.ServedTool> byAction = new HashMap<>();
        List<McpSchema.Tool> exposed = new ArrayList<>();
        // A name two upstreams list (unprefixed names) could send an agent's call to either: neither serves it.
        Map<String, Set<String>> listedBy = new HashMap<>();
        listed.forEach((upstream, tools) -> tools.forEach(tool -> listedBy.computeIfAbsent(
                        ToolNames.exposed(upstream.name(), tool.name(), prefixed), name -> new java.util.TreeSet<>())
                .add(upstream.name())));
        listed.forEach((upstream, tools) -> {
            Map<String, String> segments = new HashMap<>();
            for (McpSchema.Tool tool : tools) {
                String action = ToolNames.actionName(upstream.name(), tool.name());
                String clash = segments.putIfAbsent(action, tool.name());
                if (clash != null) {
                    LOG.warn(
                            "mcp upstream={} tool '{}' maps to action {} like tool '{}'; not serving it",
                            upstream.name(),
                            tool.name(),
                            action,
                            clash);
                    continue;
                }
                String name = ToolNames.exposed(upstream.name(), tool.name(), prefixed);
                Set<String> sharing = listedBy.getOrDefault(name, Set.of());
                if (sharing.size() > 1) {
                    LOG.warn("mcp tool '{}' is listed by upstreams {}; serving it from none of them", name, sharing);
                    continue;
                }
                byName.put(name, new Route(upstream, tool, action));
                byAction.put(action, new McpToolPolicy.ServedTool(upstream.name(), tool));
                if (upstream.down().isPresent()) {
                    // Not listed while it is being started again; a call to it says why (see call).
                    continue;
                }
                exposed.add(exposed(name, tool, pins.servedDefinition(upstream.name(), tool)));
            }
        });
        return new Served(
                Collections.unmodifiableMap(new LinkedHashMap<>(listed)),
                Map.copyOf(byName),
                List.copyOf(exposed),
                Map.copyOf(byAction));
    }

    /**
     * The definition agents see: as the upstream wrote it, under the name agents call it by;
     * while a change waits for an admin, the pinned definition ({@link ToolPinning#servedDefinition}).
     */
    private static McpSchema.Tool exposed(String name, McpSchema.Tool listed, McpSchema.Tool shown) {
        Optional<ObjectNode> json = Verbatim.of(listed);
        McpSchema.Tool typed = new McpSchema.Tool(
                name,
                shown.title(),
                shown.description(),
                shown.inputSchema(),
                shown.outputSchema(),
                shown.annotations(),
                Verbatim.without(listed.meta()),
                listed.icons());
        if (shown != listed || json.isEmpty()) {
            return typed;
        }
        ObjectNode renamed = json.get().deepCopy();
        // In place: the key keeps its position.
        renamed.put("name", name);
        return Verbatim.with(typed, renamed);
    }

    /**
     * {@code upstream} said its tools changed: lists them again, checks each against its pin (a
     * changed definition goes to the audit log and holds the tool's calls until an admin accepts
     * it), serves the new list and tells the protocol side. If the upstream can't be listed, what
     * was served stays.
     */
    void refresh(Upstream upstream) {
        synchronized (refreshing) {
            List<McpSchema.Tool> tools;
            try {
                tools = upstream.tools();
            } catch (RuntimeException e) {
                LOG.warn(
                        "mcp upstream={} said its tools changed, but listing them failed; serving the tools listed before: {}",
                        upstream.name(),
                        e.getMessage());
                return;
            }
            tools.forEach(tool -> pins.see(upstream.name(), tool));
            Map<Upstream, List<McpSchema.Tool>> listed = new LinkedHashMap<>(served.listed());
            listed.put(upstream, tools);
            publish(serve(listed));
            LOG.info(
                    "mcp upstream={} changed its tools; serving {} tool(s) now",
                    upstream.name(),
                    served.tools().size());
        }
    }

    /** An admin accepted a changed tool: agents now see its new definition. */
    private void reserve() {
        synchronized (refreshing) {
            publish(serve(served.listed()));
        }
    }

    private void publish(Served next) {
        served = next;
        for (Consumer<List<McpSchema.Tool>> listener : toolListeners) {
            try {
                listener.accept(next.tools());
            } catch (RuntimeException e) {
                // One session that can't be told (gone, say) must not keep the others from hearing it.
                LOG.warn("mcp: telling a session of the changed tools failed: {}", e.getMessage());
            }
        }
    }

    ToolService.Subscription onChanged(Consumer<List<McpSchema.Tool>> listener) {
        requireNonNull(listener, "listener is null");
        toolListeners.add(listener);
        return () -> toolListeners.remove(listener);
    }
}
