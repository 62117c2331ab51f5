package io.countersign.server;

import static java.util.Objects.requireNonNull;

import io.countersign.server.console.ToolPinChanges;
import io.countersign.server.mcp.ToolPinning;
import java.util.List;

/** The MCP gateway's tool pins as the console's admin page sees them. */
final class McpPinChanges implements ToolPinChanges {
    private final ToolPinning pins;

    McpPinChanges(ToolPinning pins) {
        this.pins = requireNonNull(pins, "pins is null");
    }

    @Override
    public List<Changed> changed() {
        return pins.changes().stream().map(McpPinChanges::changed).toList();
    }

    @Override
    public Changed accept(String tool, String by) {
        return changed(pins.accept(tool, by));
    }

    private static Changed changed(ToolPinning.Change change) {
        return new Changed(change.name(), change.pinned(), change.presented(), change.noticedAt());
    }
}
