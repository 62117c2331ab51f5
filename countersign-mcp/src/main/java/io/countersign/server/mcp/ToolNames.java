package io.countersign.server.mcp;

import java.nio.charset.StandardCharsets;

/**
 * Maps MCP tool names to action-name segments, deterministically. An action name is dotted
 * segments of {@code [A-Za-z0-9_-]}; MCP allows more in a tool name ({@code .}, {@code /} and
 * others). Names made of those characters ({@code write_file}, {@code get-sum}) are unchanged, so
 * rules read naturally; each byte of the UTF-8 name outside them becomes {@code _} followed by two
 * lowercase hex digits: {@code read.file} is {@code read_2efile}. Two tools of one server could then
 * share a segment ({@code a.b} and {@code a_2eb}); the gateway refuses to serve the second one
 * rather than let one rule cover both (see {@code McpGateway}).
 */
public final class ToolNames {
    /** Between the server and the tool in {@code server__tool}. */
    public static final String SEPARATOR = "__";

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private ToolNames() {}

    public static String segment(String toolName) {
        StringBuilder out = new StringBuilder(toolName.length() + 8);
        for (byte b : toolName.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            boolean plain =
                    (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
            if (plain) {
                out.append(c);
            } else {
                out.append('_').append(HEX[(b >> 4) & 0xf]).append(HEX[b & 0xf]);
            }
        }
        return out.isEmpty() ? "_" : out.toString();
    }

    /** {@code mcp.<server>.<tool segment>}. */
    public static String actionName(String server, String toolName) {
        return "mcp." + server + "." + segment(toolName);
    }

    /**
     * The action resource of an MCP resource: {@code <server>/} and the URI's segments, each
     * escaped as a tool name is ({@link #segment}) but keeping {@code .}, {@code :}, {@code @},
     * {@code =} and {@code +}, empty segments left out: {@code test://static/resource/1} on server
     * {@code everything} is {@code everything/test:/static/resource/1}. The exact URI is in the
     * action's params ({@code uri}); the grant binds that.
     */
    public static String resourceOf(String server, String uri) {
        StringBuilder out = new StringBuilder(server);
        for (String part : uri.split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            out.append('/');
            for (byte b : part.getBytes(StandardCharsets.UTF_8)) {
                char c = (char) (b & 0xff);
                boolean plain = (c >= 'a' && c <= 'z')
                        || (c >= 'A' && c <= 'Z')
                        || (c >= '0' && c <= '9')
                        || "-_.:@=+".indexOf(c) >= 0;
                if (plain) {
                    out.append(c);
                } else {
                    out.append('_').append(HEX[(b >> 4) & 0xf]).append(HEX[b & 0xf]);
                }
            }
        }
        return out.toString();
    }

    /** The name agents see: the upstream's own name with one upstream, {@code server__tool} with several. */
    public static String exposed(String server, String toolName, boolean prefixed) {
        return prefixed ? server + SEPARATOR + toolName : toolName;
    }
}
