package io.countersign.server.mcp;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which agent each MCP session ({@code Mcp-Session-Id}, with {@code mcp.http: sessions}) belongs
 * to: the agent that opened it; a session not listed here is answered as unknown. Another agent may not
 * use it at all: not call tools on it, not read its event stream (where the owner's elicitations
 * go), not end it. Bounded, least recently used out: the client of a forgotten session is told it is
 * unknown and opens a new one; a session id is a random UUID only its owner was told.
 */
final class SessionOwners {
    static final String HEADER = "Mcp-Session-Id";
    private static final int MAX_SESSIONS = 100_000;

    private final Map<String, String> owners = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > MAX_SESSIONS;
        }
    });

    /** Whether {@code agent} may use {@code session}; binds it to {@code agent} if it belongs to nobody yet. */
    boolean mayUse(String session, String agent) {
        requireNonNull(session, "session is null");
        requireNonNull(agent, "agent is null");
        String owner = owners.putIfAbsent(session, agent);
        return owner == null || owner.equals(agent);
    }

    /** Whether {@code session} was opened here and not ended (nor forgotten, the least recently used beyond the bound). */
    boolean knows(String session) {
        return owners.containsKey(requireNonNull(session, "session is null"));
    }

    /** {@code session} ended. */
    void forget(String session) {
        owners.remove(requireNonNull(session, "session is null"));
    }
}
