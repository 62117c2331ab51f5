package io.countersign.server.mcp;

import static java.util.Objects.requireNonNull;

import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.util.DefaultMcpUriTemplateManager;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The resources, resource templates and prompts the upstreams offer, as agents see them: each
 * upstream's as it listed them (its JSON kept, {@link Verbatim}), prompts under {@code
 * server__prompt} where there are several upstreams, as tools are. Listed at start, again when an
 * upstream says they changed, and when it is started again; while it is down, it offers nothing.
 */
final class UpstreamOffers {
    private static final Logger LOG = LoggerFactory.getLogger(UpstreamOffers.class);

    private final Map<String, Upstream> upstreams = new LinkedHashMap<>();
    private final boolean prefixed;
    private final Map<String, Upstream.Catalog> listed = new LinkedHashMap<>();
    private final List<Consumer<ToolService.Offer>> listeners = new CopyOnWriteArrayList<>();
    private volatile ToolService.Offer offer = ToolService.Offer.NONE;

    UpstreamOffers(List<Upstream> upstreams, boolean prefixed) {
        upstreams.forEach(upstream -> this.upstreams.put(upstream.name(), upstream));
        this.prefixed = prefixed;
        synchronized (this) {
            upstreams.forEach(upstream -> listed.put(upstream.name(), list(upstream)));
            offer = build();
        }
        upstreams.forEach(upstream -> {
            upstream.onCatalogChanged(() -> refresh(upstream));
            upstream.onRestarted(() -> refresh(upstream));
            upstream.whenDown(why -> publish());
        });
    }

    ToolService.Offer offer() {
        return offer;
    }

    ToolService.Subscription onChanged(Consumer<ToolService.Offer> listener) {
        listeners.add(requireNonNull(listener, "listener is null"));
        return () -> listeners.remove(listener);
    }

    Optional<Upstream> upstream(String server) {
        return Optional.ofNullable(upstreams.get(server));
    }

    /**
     * The server a resource URI belongs to: the one that lists it, else the one with a template it
     * matches, else, where only one upstream's resources can be subscribed to, that one (a server
     * may watch resources it does not list).
     */
    Optional<String> owner(String uri) {
        ToolService.Offer now = offer;
        for (ToolService.Offered<McpSchema.Resource> resource : now.resources()) {
            if (resource.item().uri().equals(uri)) {
                return Optional.of(resource.server());
            }
        }
        for (ToolService.Offered<McpSchema.ResourceTemplate> template : now.templates()) {
            if (matches(template.item().uriTemplate(), uri)) {
                return Optional.of(template.server());
            }
        }
        return now.subscribing().size() == 1
                ? Optional.of(now.subscribing().iterator().next())
                : Optional.empty();
    }

    private static boolean matches(String template, String uri) {
        try {
            return new DefaultMcpUriTemplateManager(template).matches(uri);
        } catch (IllegalArgumentException e) {
            // A template the SDK can't read matches nothing (its reads fail the same way).
            return false;
        }
    }

    /** The upstream's own name of a prompt agents ask for as {@code exposed}. */
    String promptName(String server, String exposed) {
        String prefix = server + ToolNames.SEPARATOR;
        return prefixed && exposed.startsWith(prefix) ? exposed.substring(prefix.length()) : exposed;
    }

    /** What the upstream offers now; nothing while it is down or if it can't be listed. */
    private static Upstream.Catalog list(Upstream upstream) {
        if (upstream.down().isPresent()) {
            return Upstream.Catalog.NONE;
        }
        try {
            return upstream.catalog();
        } catch (RuntimeException e) {
            LOG.warn("mcp upstream={} could not list its resources and prompts: {}", upstream.name(), e.getMessage());
            return Upstream.Catalog.NONE;
        }
    }

    private void refresh(Upstream upstream) {
        Upstream.Catalog catalog = list(upstream);
        synchronized (this) {
            listed.put(upstream.name(), catalog);
        }
        publish();
    }

    private void publish() {
        ToolService.Offer next;
        synchronized (this) {
            next = build();
            offer = next;
        }
        for (Consumer<ToolService.Offer> listener : listeners) {
            try {
                listener.accept(next);
            } catch (RuntimeException e) {
                LOG.warn("mcp: telling a session of changed resources or prompts failed: {}", e.getMessage());
            }
        }
    }

    private ToolService.Offer build() {
        List<ToolService.Offered<McpSchema.Resource>> resources = new ArrayList<>();
        List<ToolService.Offered<McpSchema.ResourceTemplate>> templates = new ArrayList<>();
        List<ToolService.Offered<McpSchema.Prompt>> prompts = new ArrayList<>();
        Set<String> completing = new HashSet<>();
        Set<String> subscribing = new HashSet<>();
        Set<String> uris = new HashSet<>();
        listed.forEach((server, catalog) -> {
            Upstream upstream = upstreams.get(server);
            if (upstream == null || upstream.down().isPresent()) {
                return;
            }
            for (McpSchema.Resource resource : catalog.resources()) {
                if (uris.add(resource.uri())) {
                    resources.add(new ToolService.Offered<>(server, resource));
                } else {
                    LOG.warn(
                            "mcp upstream={} offers resource {} another upstream offers; not serving it",
                            server,
                            resource.uri());
                }
            }
            for (McpSchema.ResourceTemplate template : catalog.templates()) {
                if (uris.add(template.uriTemplate())) {
                    templates.add(new ToolService.Offered<>(server, template));
                }
            }
            for (McpSchema.Prompt prompt : catalog.prompts()) {
                prompts.add(new ToolService.Offered<>(server, exposed(server, prompt)));
            }
            if (catalog.completions()) {
                completing.add(server);
            }
            if (catalog.subscriptions()) {
                subscribing.add(server);
            }
        });
        return new ToolService.Offer(resources, templates, unshared(prompts), completing, subscribing);
    }

    /** The prompts whose name one upstream alone offers (unprefixed names can meet): a shared one goes to neither. */
    private static List<ToolService.Offered<McpSchema.Prompt>> unshared(
            List<ToolService.Offered<McpSchema.Prompt>> prompts) {
        Map<String, Set<String>> offeredBy = new HashMap<>();
        prompts.forEach(prompt -> offeredBy
                .computeIfAbsent(prompt.item().name(), name -> new java.util.TreeSet<>())
                .add(prompt.server()));
        return prompts.stream()
                .filter(prompt -> {
                    Set<String> sharing = offeredBy.getOrDefault(prompt.item().name(), Set.of());
                    if (sharing.size() > 1) {
                        LOG.warn(
                                "mcp prompt '{}' is offered by upstreams {}; serving it from none of them",
                                prompt.item().name(),
                                sharing);
                        return false;
                    }
                    return true;
                })
                .toList();
    }

    private McpSchema.Prompt exposed(String server, McpSchema.Prompt prompt) {
        if (!prefixed) {
            return prompt;
        }
        String name = ToolNames.exposed(server, prompt.name(), true);
        McpSchema.Prompt renamed = new McpSchema.Prompt(
                name,
                prompt.title(),
                prompt.description(),
                prompt.arguments(),
                Verbatim.without(prompt.meta()),
                prompt.icons());
        Optional<ObjectNode> json = Verbatim.of(prompt);
        if (json.isEmpty()) {
            return renamed;
        }
        ObjectNode node = json.get().deepCopy();
        node.put("name", name);
        return Verbatim.with(renamed, node);
    }
}
