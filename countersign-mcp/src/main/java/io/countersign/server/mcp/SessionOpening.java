package io.countersign.server.mcp;

import static java.util.Objects.requireNonNull;

import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;

/**
 * The response to a request without a session: when the SDK names the session it opened
 * ({@code Mcp-Session-Id}), the session is bound to its agent at once, before a byte of the answer
 * leaves. Binding it after the SDK returned let a quick client's next message (its
 * {@code notifications/initialized}) arrive first and be answered "session not found".
 */
final class SessionOpening extends HttpServletResponseWrapper {
    private final SessionOwners owners;
    private final String agent;

    SessionOpening(HttpServletResponse response, SessionOwners owners, String agent) {
        super(response);
        this.owners = requireNonNull(owners, "owners is null");
        this.agent = requireNonNull(agent, "agent is null");
    }

    @Override
    public void setHeader(String name, String value) {
        bindIfSession(name, value);
        super.setHeader(name, value);
    }

    @Override
    public void addHeader(String name, String value) {
        bindIfSession(name, value);
        super.addHeader(name, value);
    }

    private void bindIfSession(String name, String value) {
        if (name != null && value != null && name.equalsIgnoreCase(SessionOwners.HEADER)) {
            owners.mayUse(value, agent);
        }
    }
}
