package io.countersign.server.mcp;

import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpStatelessServerFeatures;
import io.modelcontextprotocol.server.McpStatelessSyncServer;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The protocol side of resources, resource templates, prompts and completions: registers what the
 * upstreams offer ({@link ToolService#offer}) with the SDK's server, each read and prompts/get
 * handed to the gateway (decided there, as a tool call is) with the agent and the server it comes
 * from, and keeps the registrations those of the offer as it changes. Completions are registered
 * once, when the server is built (the SDK adds none later).
 */
final class OfferBinding {
    private OfferBinding() {}

    /**
     * What the server declares: resources and prompts always (an upstream down at start may offer
     * them later); with {@code sessions}, list changes, and subscriptions where an upstream offers
     * them (a client without a session can't be told of an update, so it is not promised one);
     * logging always (the SDK's session server declares it itself; a stateless client's {@code
     * logging/setLevel} is answered by the gateway, {@link ResourceSubscriptions}).
     */
    static McpSchema.ServerCapabilities capabilities(ToolService.Offer offer, boolean sessions) {
        McpSchema.ServerCapabilities.Builder capabilities = McpSchema.ServerCapabilities.builder()
                .tools(sessions)
                .resources(sessions && !offer.subscribing().isEmpty(), sessions)
                .prompts(sessions)
                .logging();
        if (!offer.completing().isEmpty()) {
            capabilities.completions();
        }
        return capabilities.build();
    }

    /** For a server with sessions (stdio, Streamable HTTP with sessions). */
    static <S extends McpServer.SyncSpecification<S>> McpServer.SyncSpecification<S> offer(
            McpServer.SyncSpecification<S> spec,
            ToolService service,
            McpProtocol.AgentOf agents,
            AtomicReference<McpSyncServer> server,
            CallsInFlight calls,
            boolean ping) {
        Session session = new Session(service, agents, server, calls, ping);
        ToolService.Offer offer = service.offer();
        return spec.resources(offer.resources().stream().map(session::resource).toList())
                .resourceTemplates(
                        offer.templates().stream().map(session::template).toList())
                .prompts(offer.prompts().stream().map(session::prompt).toList())
                .completions(completions(offer).stream()
                        .map(completion -> new McpServerFeatures.SyncCompletionSpecification(
                                completion.item(),
                                (exchange, request) ->
                                        service.complete(agents.of(exchange), completion.server(), request)))
                        .toList());
    }

    /** Keeps a session server's registrations those of the offer, and tells its sessions of each change. */
    static ToolService.Subscription follow(
            ToolService service,
            McpSyncServer server,
            McpProtocol.AgentOf agents,
            AtomicReference<McpSyncServer> built,
            CallsInFlight calls,
            boolean ping) {
        Session session = new Session(service, agents, built, calls, ping);
        return service.onOfferChanged(offer -> {
            server.listResources().forEach(resource -> server.removeResource(resource.uri()));
            server.listResourceTemplates().forEach(template -> server.removeResourceTemplate(template.uriTemplate()));
            server.listPrompts().forEach(prompt -> server.removePrompt(prompt.name()));
            offer.resources().forEach(resource -> server.addResource(session.resource(resource)));
            offer.templates().forEach(template -> server.addResourceTemplate(session.template(template)));
            offer.prompts().forEach(prompt -> server.addPrompt(session.prompt(prompt)));
            server.notifyResourcesListChanged();
            server.notifyPromptsListChanged();
        });
    }

    private record Session(
            ToolService service,
            McpProtocol.AgentOf agents,
            AtomicReference<McpSyncServer> server,
            CallsInFlight calls,
            boolean ping) {
        McpServerFeatures.SyncResourceSpecification resource(ToolService.Offered<McpSchema.Resource> offered) {
            return new McpServerFeatures.SyncResourceSpecification(
                    offered.item(), (exchange, request) -> read(exchange, offered.server(), request));
        }

        McpServerFeatures.SyncResourceTemplateSpecification template(
                ToolService.Offered<McpSchema.ResourceTemplate> offered) {
            return new McpServerFeatures.SyncResourceTemplateSpecification(
                    offered.item(), (exchange, request) -> read(exchange, offered.server(), request));
        }

        McpServerFeatures.SyncPromptSpecification prompt(ToolService.Offered<McpSchema.Prompt> offered) {
            return new McpServerFeatures.SyncPromptSpecification(
                    offered.item(),
                    (exchange, request) -> McpProtocol.tracked(
                            request.meta(),
                            new McpProtocol.SessionWaiting(exchange, McpProtocol.progressToken(request.meta()), server),
                            calls,
                            probe(exchange),
                            waiting -> service.prompt(agents.of(exchange), offered.server(), request, waiting)));
        }

        private McpSchema.ReadResourceResult read(
                io.modelcontextprotocol.server.McpSyncServerExchange exchange,
                String from,
                McpSchema.ReadResourceRequest request) {
            return McpProtocol.tracked(
                    request.meta(),
                    new McpProtocol.SessionWaiting(exchange, McpProtocol.progressToken(request.meta()), server),
                    calls,
                    probe(exchange),
                    waiting -> service.read(agents.of(exchange), from, request, waiting));
        }

        private Optional<CallsInFlight.Probe> probe(io.modelcontextprotocol.server.McpSyncServerExchange exchange) {
            return ping ? Optional.of(new McpProtocol.Ping(exchange)) : Optional.empty();
        }
    }

    /** For the stateless server: no sessions to tell of changes, no progress while held. */
    static McpServer.StatelessSyncSpecification offer(
            McpServer.StatelessSyncSpecification spec, ToolService service, CallsInFlight calls) {
        ToolService.Offer offer = service.offer();
        return spec.resources(offer.resources().stream()
                        .map(resource -> statelessResource(service, calls, resource))
                        .toList())
                .resourceTemplates(offer.templates().stream()
                        .map(template -> statelessTemplate(service, calls, template))
                        .toList())
                .prompts(offer.prompts().stream()
                        .map(prompt -> statelessPrompt(service, calls, prompt))
                        .toList())
                .completions(completions(offer).stream()
                        .map(completion -> new McpStatelessServerFeatures.SyncCompletionSpecification(
                                completion.item(),
                                (context, request) ->
                                        service.complete(McpProtocol.agentOf(context), completion.server(), request)))
                        .toList());
    }

    static ToolService.Subscription follow(ToolService service, McpStatelessSyncServer server, CallsInFlight calls) {
        return service.onOfferChanged(offer -> {
            server.listResources().forEach(resource -> server.removeResource(resource.uri()));
            server.listResourceTemplates().forEach(template -> server.removeResourceTemplate(template.uriTemplate()));
            server.listPrompts().forEach(prompt -> server.removePrompt(prompt.name()));
            offer.resources().forEach(resource -> server.addResource(statelessResource(service, calls, resource)));
            offer.templates()
                    .forEach(template -> server.addResourceTemplate(statelessTemplate(service, calls, template)));
            offer.prompts().forEach(prompt -> server.addPrompt(statelessPrompt(service, calls, prompt)));
        });
    }

    private static McpStatelessServerFeatures.SyncResourceSpecification statelessResource(
            ToolService service, CallsInFlight calls, ToolService.Offered<McpSchema.Resource> offered) {
        return new McpStatelessServerFeatures.SyncResourceSpecification(
                offered.item(),
                (context, request) -> statelessRead(service, calls, context, offered.server(), request));
    }

    private static McpStatelessServerFeatures.SyncResourceTemplateSpecification statelessTemplate(
            ToolService service, CallsInFlight calls, ToolService.Offered<McpSchema.ResourceTemplate> offered) {
        return new McpStatelessServerFeatures.SyncResourceTemplateSpecification(
                offered.item(),
                (context, request) -> statelessRead(service, calls, context, offered.server(), request));
    }

    /** A stateless resources/read: no progress while held, nothing to probe (the HTTP request is the call). */
    private static McpSchema.ReadResourceResult statelessRead(
            ToolService service,
            CallsInFlight calls,
            McpTransportContext context,
            String from,
            McpSchema.ReadResourceRequest request) {
        return McpProtocol.tracked(
                request.meta(),
                ToolService.Waiting.NONE,
                calls,
                Optional.empty(),
                waiting -> service.read(McpProtocol.agentOf(context), from, request, waiting));
    }

    private static McpStatelessServerFeatures.SyncPromptSpecification statelessPrompt(
            ToolService service, CallsInFlight calls, ToolService.Offered<McpSchema.Prompt> offered) {
        return new McpStatelessServerFeatures.SyncPromptSpecification(
                offered.item(),
                (context, request) -> McpProtocol.tracked(
                        request.meta(),
                        ToolService.Waiting.NONE,
                        calls,
                        Optional.empty(),
                        waiting -> service.prompt(McpProtocol.agentOf(context), offered.server(), request, waiting)));
    }

    /** The references whose arguments the upstreams complete: their prompts (as agents name them) and templates. */
    private static List<ToolService.Offered<McpSchema.CompleteReference>> completions(ToolService.Offer offer) {
        List<ToolService.Offered<McpSchema.CompleteReference>> references = new ArrayList<>();
        offer.prompts().stream()
                .filter(prompt -> offer.completing().contains(prompt.server()))
                .forEach(prompt -> references.add(new ToolService.Offered<>(
                        prompt.server(),
                        new McpSchema.PromptReference(prompt.item().name()))));
        offer.templates().stream()
                .filter(template -> offer.completing().contains(template.server()))
                .forEach(template -> references.add(new ToolService.Offered<>(
                        template.server(),
                        new McpSchema.ResourceReference(template.item().uriTemplate()))));
        return references;
    }
}
