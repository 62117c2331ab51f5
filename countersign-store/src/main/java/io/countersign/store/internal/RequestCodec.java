package io.countersign.store.internal;

import io.countersign.action.Action;
import io.countersign.action.ActionDigest;
import io.countersign.identity.Agent;
import io.countersign.identity.Delegation;
import io.countersign.identity.Person;
import io.countersign.policy.ApprovalRequirement;
import io.countersign.policy.ColumnMask;
import io.countersign.policy.ColumnPattern;
import io.countersign.policy.Decision;
import io.countersign.policy.Effect;
import io.countersign.policy.Escalation;
import io.countersign.workflow.ApprovalRequest;
import io.countersign.workflow.BreakGlass;
import io.countersign.workflow.Execution;
import io.countersign.workflow.GrantRecord;
import io.countersign.workflow.RequestId;
import io.countersign.workflow.RequestStatus;
import io.countersign.workflow.Vote;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamWriteConstraints;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * An {@link ApprovalRequest} as a JSON document, for every SQL dialect's {@code document} column.
 *
 * <p>Written by hand rather than by databind's record support: the stored shape must not change
 * when someone adds an accessor to a core record (databind would pick up {@code isPending()}), enums
 * are stored by their wire names, sets and maps are written sorted so equal requests give equal
 * documents, and every value is rebuilt through its record's constructor so it is validated again
 * on the way in. Instants and durations are ISO-8601 strings, exact to the nanosecond.
 *
 * <p>Members added to format 1 later are written only when they differ from what an older
 * document means: {@code delegation} only when {@code verified} (otherwise it follows from
 * {@code onBehalfOf}), {@code resolution} and {@code breakGlass} only when set, an approval's
 * {@code stepUp} only when true, its {@code notify} only when it routes somewhere,
 * {@code onBehalfOfPerson} (whom onBehalfOf resolved to) only when it resolved, {@code escalated} (the rules
 * whose escalation fired) only when one did, an approval's {@code directTo} and {@code escalate} only when set. Older documents
 * therefore read back unchanged.
 *
 * <p>Action params are stored as the JSON they are; reading them back gives the nodes a default
 * Jackson parse gives (ints, longs, big integers, doubles), so their canonical JSON, and hence
 * the action's digest, is unchanged.
 */
public final class RequestCodec {
    /** The document's shape; {@link #read} refuses shapes it doesn't know rather than guess. */
    private static final int FORMAT = 1;

    /**
     * The document nests params three levels deeper than their own root, one more than a request
     * body does; so that any params Jackson's defaults (depth 500) let in can be stored and read
     * back, the limit here is higher by a margin.
     */
    private static final int MAX_DEPTH = StreamReadConstraints.DEFAULT_MAX_DEPTH + 16;

    private final JsonMapper mapper = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(MAX_DEPTH)
                            .build())
                    .streamWriteConstraints(StreamWriteConstraints.builder()
                            .maxNestingDepth(MAX_DEPTH)
                            .build())
                    .build())
            .build();

    public String write(ApprovalRequest request) {
        ObjectNode doc = object();
        doc.put("format", FORMAT);
        doc.put("id", request.id().value());
        doc.set("agent", agent(request.agent()));
        doc.set("action", action(request.action()));
        doc.put("digest", request.digest().hex());
        doc.set("decision", decision(request.decision()));
        doc.put("status", request.status().wireName());
        ArrayNode votes = doc.putArray("votes");
        request.votes().forEach(vote -> votes.add(vote(vote)));
        doc.put("createdAt", request.createdAt().toString());
        doc.put("expiresAt", request.expiresAt().map(Instant::toString).orElse(null));
        doc.put("decidedAt", request.decidedAt().map(Instant::toString).orElse(null));
        doc.put("decidedBy", request.decidedBy().orElse(null));
        doc.put("idempotencyKey", request.idempotencyKey().orElse(null));
        doc.set("grant", request.grant().map(RequestCodec::grant).orElse(null));
        doc.set("execution", request.execution().map(RequestCodec::execution).orElse(null));
        if (request.delegation() == Delegation.VERIFIED) {
            doc.put("delegation", request.delegation().wireName());
        }
        request.resolution().ifPresent(resolution -> doc.put("resolution", resolution));
        request.breakGlass().ifPresent(breakGlass -> doc.set("breakGlass", breakGlass(breakGlass)));
        request.resolvedOnBehalfOf().ifPresent(person -> doc.putObject("onBehalfOfPerson")
                .put("name", person.name())
                .put("email", person.email()));
        if (!request.escalated().isEmpty()) {
            doc.set("escalated", names(request.escalated()));
        }
        return mapper.writeValueAsString(doc);
    }

    /**
     * The request a document holds.
     *
     * @throws IllegalArgumentException naming the field when the document is malformed or of an
     *     unknown format
     */
    public ApprovalRequest read(String document) {
        try {
            JsonNode doc = mapper.readTree(document);
            int format = doc.required("format").intValue();
            if (format != FORMAT) {
                throw new IllegalArgumentException(
                        "document format is " + format + ", this version reads format " + FORMAT);
            }
            Action action = readAction(doc.required("action"));
            return new ApprovalRequest(
                    new RequestId(text(doc, "id")),
                    readAgent(doc.required("agent")),
                    action,
                    new ActionDigest(text(doc, "digest")),
                    readDecision(doc.required("decision")),
                    RequestStatus.fromWireName(text(doc, "status")),
                    list(doc.required("votes"), RequestCodec::readVote),
                    Instant.parse(text(doc, "createdAt")),
                    optional(doc, "expiresAt", node -> Instant.parse(node.stringValue())),
                    optional(doc, "decidedAt", node -> Instant.parse(node.stringValue())),
                    optional(doc, "decidedBy", JsonNode::stringValue),
                    optional(doc, "idempotencyKey", JsonNode::stringValue),
                    optional(doc, "grant", RequestCodec::readGrant),
                    optional(doc, "execution", RequestCodec::readExecution),
                    optional(doc, "delegation", node -> Delegation.fromWireName(node.stringValue()))
                            .orElse(Delegation.claimedOrNone(action.onBehalfOf().isPresent())),
                    optional(doc, "resolution", JsonNode::stringValue),
                    optional(doc, "breakGlass", RequestCodec::readBreakGlass),
                    optional(doc, "onBehalfOfPerson", node -> new Person(text(node, "name"), text(node, "email"))),
                    optional(doc, "escalated", node -> Set.copyOf(list(node, JsonNode::stringValue)))
                            .orElse(Set.of()));
        } catch (RuntimeException e) {
            // Jackson's exceptions, DateTimeParseException and the records' own checks all land here.
            throw new IllegalArgumentException("request document is malformed: " + e.getMessage(), e);
        }
    }

    /** Labels as a JSON object with sorted keys, for the credentials table too. */
    public String writeLabels(Map<String, String> labels) {
        ObjectNode node = object();
        new TreeMap<>(labels).forEach(node::put);
        return mapper.writeValueAsString(node);
    }

    public Map<String, String> readLabels(String json) {
        return readLabels(mapper.readTree(json));
    }

    /** A set of names as a sorted JSON array, for the credentials table too. */
    public String writeNames(Iterable<String> names) {
        return mapper.writeValueAsString(names(names));
    }

    public List<String> readNames(String json) {
        return list(mapper.readTree(json), JsonNode::stringValue);
    }

    private static ObjectNode agent(Agent agent) {
        ObjectNode node = object();
        node.put("name", agent.name());
        ObjectNode labels = node.putObject("labels");
        new TreeMap<>(agent.labels()).forEach(labels::put);
        return node;
    }

    private static Agent readAgent(JsonNode node) {
        return new Agent(text(node, "name"), readLabels(node.required("labels")));
    }

    private static ObjectNode action(Action action) {
        ObjectNode node = object();
        node.put("action", action.action());
        node.put("resource", action.resource());
        // Read-only use: the node goes straight to the writer and is never changed.
        node.set("params", action.paramsView());
        node.put("reason", action.reason());
        node.put("onBehalfOf", action.onBehalfOf().orElse(null));
        return node;
    }

    private static Action readAction(JsonNode node) {
        JsonNode params = node.required("params");
        if (!params.isObject()) {
            throw new IllegalArgumentException("action params are " + params.getNodeType() + ", want an object");
        }
        return new Action(
                text(node, "action"),
                text(node, "resource"),
                (ObjectNode) params,
                text(node, "reason"),
                optional(node, "onBehalfOf", JsonNode::stringValue));
    }

    private static ObjectNode decision(Decision decision) {
        ObjectNode node = object();
        node.put("effect", decision.effect().wireName());
        ArrayNode rules = node.putArray("rules");
        decision.rules().forEach(rules::add);
        node.put("reason", decision.reason());
        node.put("policyVersion", decision.policyVersion());
        ArrayNode approvals = node.putArray("approvals");
        for (ApprovalRequirement requirement : decision.approvals()) {
            ObjectNode item = approvals.addObject();
            item.put("rule", requirement.rule());
            item.set("groups", names(requirement.groups()));
            item.put("quorum", requirement.quorum());
            item.put("timeout", requirement.timeout().toString());
            if (requirement.stepUp()) {
                item.put("stepUp", true);
            }
            if (!requirement.notifyTo().isEmpty()) {
                ObjectNode notify = item.putObject("notify");
                new TreeMap<>(requirement.notifyTo()).forEach(notify::put);
            }
            if (!requirement.directTo().isEmpty()) {
                item.set("directTo", names(requirement.directTo()));
            }
            requirement.escalation().ifPresent(escalation -> {
                ObjectNode escalate = item.putObject("escalate");
                escalate.put("after", escalation.after().toString());
                escalate.set("groups", names(escalation.groups()));
                ObjectNode channels = escalate.putObject("notify");
                new TreeMap<>(escalation.notifyTo()).forEach(channels::put);
            });
        }
        // Column masks ride with the decision, so a held statement runs, once approved, with its rules' masks.
        if (!decision.masks().isEmpty()) {
            ArrayNode masks = node.putArray("masks");
            for (ColumnMask mask : decision.masks()) {
                ObjectNode item = masks.addObject();
                item.put("rule", mask.rule());
                ArrayNode columns = item.putArray("columns");
                mask.columnTexts().forEach(columns::add);
            }
        }
        return node;
    }

    private static Decision readDecision(JsonNode node) {
        return new Decision(
                Effect.fromWireName(text(node, "effect")),
                list(node.required("rules"), JsonNode::stringValue),
                text(node, "reason"),
                text(node, "policyVersion"),
                list(
                        node.required("approvals"),
                        item -> new ApprovalRequirement(
                                text(item, "rule"),
                                new TreeSet<>(list(item.required("groups"), JsonNode::stringValue)),
                                item.required("quorum").intValue(),
                                Duration.parse(text(item, "timeout")),
                                optional(item, "stepUp", JsonNode::booleanValue).orElse(false),
                                readNotify(item, "notify"),
                                optional(item, "directTo", kinds -> Set.copyOf(list(kinds, JsonNode::stringValue)))
                                        .orElse(Set.of()),
                                optional(
                                        item,
                                        "escalate",
                                        escalate -> new Escalation(
                                                Duration.parse(text(escalate, "after")),
                                                new TreeSet<>(list(escalate.required("groups"), JsonNode::stringValue)),
                                                readNotify(escalate, "notify"))))),
                optional(
                                node,
                                "masks",
                                masks -> list(
                                        masks,
                                        item -> new ColumnMask(
                                                text(item, "rule"),
                                                list(
                                                        item.required("columns"),
                                                        column -> ColumnPattern.parse(column.stringValue())))))
                        .orElse(List.of()));
    }

    private static Map<String, String> readNotify(JsonNode item, String field) {
        JsonNode notify = item.get(field);
        if (notify == null || notify.isNull()) {
            return Map.of();
        }
        Map<String, String> targets = new TreeMap<>();
        for (Map.Entry<String, JsonNode> entry : notify.properties()) {
            targets.put(entry.getKey(), entry.getValue().stringValue());
        }
        return targets;
    }

    private static ObjectNode vote(Vote vote) {
        ObjectNode node = object();
        node.put("voter", vote.voter());
        node.put("email", vote.email());
        node.set("groups", names(vote.groups()));
        node.put("choice", vote.choice().wireName());
        node.put("comment", vote.comment().orElse(null));
        node.put("time", vote.time().toString());
        node.put("channel", vote.channel());
        return node;
    }

    private static Vote readVote(JsonNode node) {
        return new Vote(
                text(node, "voter"),
                text(node, "email"),
                new TreeSet<>(list(node.required("groups"), JsonNode::stringValue)),
                Vote.Choice.fromWireName(text(node, "choice")),
                optional(node, "comment", JsonNode::stringValue),
                Instant.parse(text(node, "time")),
                text(node, "channel"));
    }

    private static ObjectNode breakGlass(BreakGlass breakGlass) {
        ObjectNode node = object();
        node.put("usedBy", breakGlass.usedBy());
        node.put("reason", breakGlass.reason());
        node.put("usedAt", breakGlass.usedAt().toString());
        node.put("acknowledgedBy", breakGlass.acknowledgedBy().orElse(null));
        node.put(
                "acknowledgedAt",
                breakGlass.acknowledgedAt().map(Instant::toString).orElse(null));
        node.put("comment", breakGlass.comment().orElse(null));
        return node;
    }

    private static BreakGlass readBreakGlass(JsonNode node) {
        return new BreakGlass(
                text(node, "usedBy"),
                text(node, "reason"),
                Instant.parse(text(node, "usedAt")),
                optional(node, "acknowledgedBy", JsonNode::stringValue),
                optional(node, "acknowledgedAt", value -> Instant.parse(value.stringValue())),
                optional(node, "comment", JsonNode::stringValue));
    }

    private static ObjectNode grant(GrantRecord grant) {
        ObjectNode node = object();
        node.put("issuedAt", grant.issuedAt().toString());
        node.put("expiresAt", grant.expiresAt().toString());
        node.put("usedAt", grant.usedAt().map(Instant::toString).orElse(null));
        return node;
    }

    private static GrantRecord readGrant(JsonNode node) {
        return new GrantRecord(
                Instant.parse(text(node, "issuedAt")),
                Instant.parse(text(node, "expiresAt")),
                optional(node, "usedAt", value -> Instant.parse(value.stringValue())));
    }

    private static ObjectNode execution(Execution execution) {
        ObjectNode node = object();
        node.put("outcome", execution.outcome().wireName());
        node.put("detail", execution.detail().orElse(null));
        node.put("time", execution.time().toString());
        return node;
    }

    private static Execution readExecution(JsonNode node) {
        return new Execution(
                Execution.Outcome.fromWireName(text(node, "outcome")),
                optional(node, "detail", JsonNode::stringValue),
                Instant.parse(text(node, "time")));
    }

    private static ArrayNode names(Iterable<String> names) {
        ArrayNode array = JsonNodeFactory.instance.arrayNode();
        TreeSet<String> sorted = new TreeSet<>();
        names.forEach(sorted::add);
        sorted.forEach(array::add);
        return array;
    }

    private static Map<String, String> readLabels(JsonNode node) {
        if (!node.isObject()) {
            throw new IllegalArgumentException("labels are " + node.getNodeType() + ", want an object");
        }
        Map<String, String> labels = new TreeMap<>();
        node.properties()
                .forEach(entry -> labels.put(entry.getKey(), entry.getValue().stringValue()));
        return labels;
    }

    private static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }

    /** A required string member; stringValue() refuses numbers, nulls and objects. */
    private static String text(JsonNode node, String name) {
        return node.required(name).stringValue();
    }

    /** An optional member: absent and JSON null both mean empty. */
    private static <T> Optional<T> optional(JsonNode node, String name, Function<JsonNode, T> read) {
        JsonNode value = node.get(name);
        return value == null || value.isNull() ? Optional.empty() : Optional.of(read.apply(value));
    }

    private static <T> List<T> list(JsonNode node, Function<JsonNode, T> read) {
        if (!node.isArray()) {
            throw new IllegalArgumentException("expected an array, got " + node.getNodeType());
        }
        List<T> items = new ArrayList<>(node.size());
        node.values().forEach(item -> items.add(read.apply(item)));
        return items;
    }
}
