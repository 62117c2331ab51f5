package io.countersign.server.mcp;

import io.countersign.identity.Agent;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The seam between the MCP gateway's logic and the protocol. Everything about sessions,
 * {@code initialize}, JSON-RPC framing and transports stays on the other side ({@link McpProtocol});
 * a protocol revision without {@code initialize} or sessions (2026-07-28) is a second binding of
 * this same interface. Values are the spec's own data types (a tool, a tool result).
 */
public interface ToolService {

    /** The upstreams' {@code instructions}, passed on to agents in {@code initialize}. */
    default Optional<String> instructions() {
        return Optional.empty();
    }

    /** The tools agents see, already named as agents call them. */
    List<McpSchema.Tool> tools();

    /**
     * Calls {@code listener} with the tools agents see, each time they change (an upstream added,
     * removed or redefined one), until the returned subscription is closed.
     */
    default Subscription onToolsChanged(Consumer<List<McpSchema.Tool>> listener) {
        return () -> {};
    }

    /** One resource, resource template or prompt as agents see it, and the server it comes from. */
    record Offered<T>(String server, T item) {
        public Offered {
            java.util.Objects.requireNonNull(server, "server is null");
            java.util.Objects.requireNonNull(item, "item is null");
        }
    }

    /**
     * What the upstreams offer besides tools; {@code completing}: the servers that complete the
     * arguments of their prompts and resource templates; {@code subscribing}: those whose
     * resources can be subscribed to.
     */
    record Offer(
            List<Offered<McpSchema.Resource>> resources,
            List<Offered<McpSchema.ResourceTemplate>> templates,
            List<Offered<McpSchema.Prompt>> prompts,
            java.util.Set<String> completing,
            java.util.Set<String> subscribing) {
        public static final Offer NONE =
                new Offer(List.of(), List.of(), List.of(), java.util.Set.of(), java.util.Set.of());

        public Offer {
            resources = List.copyOf(resources);
            templates = List.copyOf(templates);
            prompts = List.copyOf(prompts);
            completing = java.util.Set.copyOf(completing);
            subscribing = java.util.Set.copyOf(subscribing);
        }
    }

    /** The resources, resource templates and prompts agents see (prompts named as agents ask for them). */
    default Offer offer() {
        return Offer.NONE;
    }

    /** Calls {@code listener} with what is offered, each time an upstream changes its resources or prompts. */
    default Subscription onOfferChanged(Consumer<Offer> listener) {
        return () -> {};
    }

    /**
     * {@code resources/read} of a resource {@code server} offers, decided as the action {@code
     * mcp.<server>.resources.read}; a refusal (denied, expired, upstream failure) is an {@link
     * io.modelcontextprotocol.spec.McpError} with the reason, there being no {@code isError} result for a read.
     */
    default McpSchema.ReadResourceResult read(
            Agent agent, String server, McpSchema.ReadResourceRequest request, Waiting waiting) {
        throw notOffered("resources");
    }

    /** {@code prompts/get} of a prompt {@code server} offers, decided as {@code mcp.<server>.prompts.get}; as {@link #read}. */
    default McpSchema.GetPromptResult prompt(
            Agent agent, String server, McpSchema.GetPromptRequest request, Waiting waiting) {
        throw notOffered("prompts");
    }

    /** {@code completion/complete} of an argument of a prompt or resource template {@code server} offers. */
    default McpSchema.CompleteResult complete(Agent agent, String server, McpSchema.CompleteRequest request) {
        throw notOffered("completions");
    }

    /**
     * {@code resources/subscribe} of {@code uri}, decided as {@code mcp.<server>.resources.subscribe}
     * on the upstream that offers it (allowed where no rule matches, as a read is). Once allowed,
     * that upstream is subscribed and each update it reports of {@code uri} goes to {@code
     * updates} until the returned subscription is closed; with no {@code updates} (a client
     * without a session, which no update can reach) nothing is subscribed upstream. A refusal is
     * an {@link io.modelcontextprotocol.spec.McpError} with the reason, as for {@link #read}.
     */
    default Subscription subscribe(Agent agent, String uri, Waiting waiting, Optional<Consumer<String>> updates) {
        throw notOffered("resource subscriptions");
    }

    private static io.modelcontextprotocol.spec.McpError notOffered(String what) {
        return io.modelcontextprotocol.spec.McpError.builder(JsonRpcIntake.METHOD_NOT_FOUND)
                .message("this gateway offers no " + what)
                .build();
    }

    /** A listener's registration; closing it twice is harmless. */
    interface Subscription extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Runs one {@code tools/call} through the gateway: never throws for an expected outcome (denied,
     * expired, upstream failure); those are results with {@code isError: true} and the reason.
     */
    McpSchema.CallToolResult call(Agent agent, String tool, Map<String, Object> arguments, Waiting waiting);

    /**
     * What the protocol side can tell the client while a call is held for a human: progress (bound
     * to the client's progress token, if any), and where the decision is made (URL-mode
     * elicitation, where the client supports it). Implementations must not block the held call.
     */
    interface Waiting {
        Waiting NONE = new Waiting() {};

        /** The call is still waiting; {@code step} counts up from 0. */
        default void progress(double step, String message) {}

        /** The call is held until a human decides request {@code requestId} at {@code consoleUrl}. */
        default void heldForApproval(String requestId, String consoleUrl, String message) {}

        /** The held call's request was decided, expired, or the gateway stopped waiting. */
        default void settled(String requestId) {}

        /** Why the client that waits for this call is gone (it cancelled, disconnected, the gateway stops), once it is. */
        default Optional<String> gone() {
            return Optional.empty();
        }

        /** Runs {@code listener} with why, once, when the waiting client goes (at once if it already has); until closed. */
        default Subscription whenGone(Consumer<String> listener) {
            return () -> {};
        }
    }
}
