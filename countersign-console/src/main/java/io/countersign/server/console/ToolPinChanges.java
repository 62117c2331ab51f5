package io.countersign.server.console;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * What the admin page needs of the MCP gateway's tool pins: the changed definitions waiting for an
 * admin, and accepting one (audited under the admin's name by the pins themselves). A gateway
 * without MCP has none.
 */
public interface ToolPinChanges {
    ToolPinChanges NONE = new ToolPinChanges() {
        @Override
        public List<Changed> changed() {
            return List.of();
        }

        @Override
        public Changed accept(String tool, String by) {
            throw new NoSuchElementException("this gateway serves no MCP tools");
        }
    };

    /** @param tool {@code server__tool} */
    record Changed(String tool, String pinnedSha256, String presentedSha256, Instant noticedAt) {
        public Changed {
            requireNonNull(tool, "tool is null");
            requireNonNull(pinnedSha256, "pinnedSha256 is null");
            requireNonNull(presentedSha256, "presentedSha256 is null");
            requireNonNull(noticedAt, "noticedAt is null");
        }
    }

    List<Changed> changed();

    /**
     * @throws NoSuchElementException when that tool has no change waiting
     * @throws IllegalArgumentException when {@code tool} names no server
     */
    Changed accept(String tool, String by);
}
