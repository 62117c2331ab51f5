package io.countersign.server.mcp;

import static java.util.Objects.requireNonNull;

import io.countersign.audit.AuditEvent;
import io.countersign.audit.AuditEventType;
import io.countersign.workflow.Store;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Tool pinning with its audit trail: the pins ({@link ToolPins}, a file in the data folder), and
 * in the audit log every changed definition the gateway notices ({@code mcp.tool_changed}, with
 * both hashes and the new definition) and every change an admin accepts
 * ({@code mcp.tool_accepted}). Until accepted, a changed tool's calls are denied or need approval
 * ({@code mcp.pinning}); that is {@link McpToolPolicy}'s part.
 */
public final class ToolPinning {
    private static final Logger LOG = LoggerFactory.getLogger(ToolPinning.class);

    /** A tool whose upstream presents a definition other than the pinned one, waiting for an admin. */
    public record Change(String server, String tool, String pinned, String presented, Instant noticedAt) {
        public Change {
            requireNonNull(server, "server is null");
            requireNonNull(tool, "tool is null");
            requireNonNull(pinned, "pinned is null");
            requireNonNull(presented, "presented is null");
            requireNonNull(noticedAt, "noticedAt is null");
        }

        /** The name an admin uses for it: {@code server__tool}. */
        public String name() {
            return server + ToolNames.SEPARATOR + tool;
        }

        private static Change of(ToolPins.Change change) {
            int slash = change.key().indexOf('/');
            return new Change(
                    change.key().substring(0, slash),
                    change.key().substring(slash + 1),
                    change.pinned(),
                    change.presented(),
                    change.noticedAt());
        }
    }

    private final ToolPins pins;
    private final Store store;
    private final Clock clock;
    private final JsonMapper mapper;
    private final List<Runnable> acceptListeners = new CopyOnWriteArrayList<>();

    ToolPinning(ToolPins pins, Store store, Clock clock, JsonMapper mapper) {
        this.pins = requireNonNull(pins, "pins is null");
        this.store = requireNonNull(store, "store is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.mapper = requireNonNull(mapper, "mapper is null");
    }

    /** The pins in {@code dataDirectory}, auditing into {@code store}: for the gateway and the command line. */
    public static ToolPinning open(Path dataDirectory, Store store, Clock clock, JsonMapper mapper) {
        return new ToolPinning(ToolPins.open(dataDirectory, mapper), store, clock, mapper);
    }

    /** Checks a tool an upstream presents against its pin; a change seen for the first time goes to the log and the audit log. */
    Optional<Change> see(String server, McpSchema.Tool tool) {
        ToolPins.Sighting sighting = pins.see(server, tool, now());
        if (!(sighting instanceof ToolPins.Sighting.Changed changed)) {
            return Optional.empty();
        }
        Change change = Change.of(changed.change());
        LOG.warn(
                "mcp upstream={} tool '{}' changed since it was pinned (pinned sha256 {}, now {}); until an admin accepts it"
                        + " (countersign mcp pins accept {}) its calls are not forwarded as the policy says",
                server,
                tool.name(),
                change.pinned(),
                change.presented(),
                change.name());
        if (changed.news()) {
            ObjectNode data = data(change);
            data.set("definition", pins.definition(tool));
            append(AuditEventType.MCP_TOOL_CHANGED, "system", data);
        }
        return Optional.of(change);
    }

    /** The tool's change waiting for an admin, if any. */
    Optional<Change> changed(String server, String tool) {
        return pins.changed(server, tool).map(Change::of);
    }

    /**
     * The definition agents should see for a tool the upstream presents as {@code presented}: the
     * presented one, except while a change waits for an admin; then the pinned one, so that a
     * rewritten description (the tool-poisoning vector) does not reach the model before an admin
     * has read it. Without a pinned definition to show (a pin from before they were kept), a
     * placeholder that carries none of the new text.
     */
    McpSchema.Tool servedDefinition(String server, McpSchema.Tool presented) {
        if (pins.changed(server, presented.name()).isEmpty()) {
            return presented;
        }
        return pins.pinnedDefinition(server, presented.name())
                .flatMap(definition -> {
                    try {
                        return Optional.of(mapper.treeToValue(definition, McpSchema.Tool.class));
                    } catch (RuntimeException e) {
                        LOG.warn(
                                "mcp tool {}/{}: the pinned definition can't be read back: {}",
                                server,
                                presented.name(),
                                e.getMessage());
                        return Optional.empty();
                    }
                })
                .orElseGet(() -> new McpSchema.Tool(
                        presented.name(),
                        null,
                        "Countersign holds this tool: its definition changed since it was"
                                + " pinned and an admin has not reviewed the change yet. Its calls are held until then.",
                        Map.of("type", "object"),
                        null,
                        null,
                        null));
    }

    /** Runs {@code listener} after each change an admin accepts through this object (the API; not the command line, which is another process). */
    void onAccepted(Runnable listener) {
        acceptListeners.add(requireNonNull(listener, "listener is null"));
    }

    /** Every change waiting for an admin. */
    public List<Change> changes() {
        return pins.changes().stream().map(Change::of).toList();
    }

    /**
     * Makes the definition the upstream presents now the tool's pin, and records who accepted it.
     *
     * @param tool {@code server__tool} (or {@code server/tool})
     * @throws NoSuchElementException when that tool has no change waiting
     */
    public Change accept(String tool, String actor) {
        requireNonNull(actor, "actor is null");
        String key = key(tool);
        Change change = pins.accept(key)
                .map(Change::of)
                .orElseThrow(() -> new NoSuchElementException(
                        "tool '" + tool + "' has no changed definition waiting to be accepted; changed tools: "
                                + changes().stream().map(Change::name).toList()));
        append(AuditEventType.MCP_TOOL_ACCEPTED, actor, data(change));
        LOG.info(
                "mcp tool {} accepted by {}: pinned sha256 {} (was {})",
                change.name(),
                actor,
                change.presented(),
                change.pinned());
        acceptListeners.forEach(Runnable::run);
        return change;
    }

    /** {@code server__tool} or {@code server/tool} as a pin key; server names hold no {@code __} and no {@code /}. */
    private static String key(String tool) {
        requireNonNull(tool, "tool is null");
        int separator = tool.indexOf(ToolNames.SEPARATOR);
        int slash = tool.indexOf('/');
        if (slash > 0 && (separator < 0 || slash < separator)) {
            return tool;
        }
        if (separator <= 0) {
            throw new IllegalArgumentException("'" + tool + "' names no server; want server__tool");
        }
        return ToolPins.key(tool.substring(0, separator), tool.substring(separator + ToolNames.SEPARATOR.length()));
    }

    private static ObjectNode data(Change change) {
        ObjectNode data = JsonNodeFactory.instance.objectNode();
        data.put("server", change.server());
        data.put("tool", change.tool());
        data.put("pinnedSha256", change.pinned());
        data.put("presentedSha256", change.presented());
        return data;
    }

    private void append(AuditEventType type, String actor, ObjectNode data) {
        store.transact(tx -> tx.append(new AuditEvent(type, now(), actor, Optional.empty(), data)));
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
