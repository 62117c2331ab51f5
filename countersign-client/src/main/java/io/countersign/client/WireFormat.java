package io.countersign.client;

import java.net.URI;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The Public API v1 JSON bodies, both ways. Wire shapes stay here so the public records don't
 * carry Jackson annotations. Readers are strict about what the contract requires and ignore
 * fields they don't know, so a newer server can add fields without breaking older agents.
 */
final class WireFormat {
    static final JsonMapper MAPPER = JsonMapper.builder().build();

    private WireFormat() {}

    /** The body of {@code POST /v1/actions}, or without the key that of {@code /v1/decisions/simulate}. */
    static ObjectNode actionBody(ActionRequest request, boolean withIdempotencyKey) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("action", request.action());
        body.put("resource", request.resource());
        body.set("params", request.params());
        body.put("reason", request.reason());
        request.onBehalfOf().ifPresent(human -> body.put("onBehalfOf", human));
        if (withIdempotencyKey) {
            request.idempotencyKey().ifPresent(key -> body.put("idempotencyKey", key));
        }
        return body;
    }

    static ObjectNode executionBody(Grant grant, ExecutionOutcome outcome, Optional<String> detail) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("grant", grant.token());
        body.put("outcome", outcome.wireName());
        detail.ifPresent(d -> body.put("detail", d));
        return body;
    }

    /** Reads one answer; {@code source} names the call in error messages ({@code GET http://...}). */
    static ActionStatus readStatus(JsonNode json, String source) {
        Fields root = new Fields(json, "", source);
        String id = root.string("id");
        return new ActionStatus(
                id,
                root.enumValue("status", RequestStatus.values(), RequestStatus::wireName),
                readAction(root.object("action")),
                root.string("agent"),
                readDecision(root.object("decision")),
                root.optionalObject("grant").map(g -> new Grant(id, g.string("token"), g.instant("expiresAt"))),
                root.optionalObject("approval")
                        .map(a -> new Approval(
                                a.strings("groups"),
                                a.positiveInt("quorum"),
                                a.optionalInstant("expiresAt"),
                                a.uri("url"))),
                root.optionalObjects("votes").stream().map(WireFormat::readVote).toList(),
                root.instant("createdAt"),
                root.optionalInstant("decidedAt"),
                root.optionalString("decidedBy"),
                root.optionalObject("execution")
                        .map(e -> new Execution(
                                e.enumValue("outcome", ExecutionOutcome.values(), ExecutionOutcome::wireName),
                                e.optionalString("detail"),
                                e.instant("time"))));
    }

    static Decision readDecision(JsonNode json, String source) {
        return readDecision(new Fields(json, "", source));
    }

    private static Decision readDecision(Fields decision) {
        return new Decision(
                decision.enumValue("effect", Effect.values(), Effect::wireName),
                decision.optionalStrings("rules"),
                decision.optionalString("reason"),
                decision.string("policyVersion"));
    }

    private static ActionRequest readAction(Fields action) {
        ObjectNode params = action.optionalObject("params")
                .map(p -> (ObjectNode) p.json)
                .orElseGet(JsonNodeFactory.instance::objectNode);
        return new ActionRequest(
                action.string("action"),
                action.string("resource"),
                params,
                action.optionalString("reason").orElse(""),
                action.optionalString("onBehalfOf"),
                Optional.empty());
    }

    private static Vote readVote(Fields vote) {
        return new Vote(
                vote.string("voter"),
                vote.enumValue("choice", VoteChoice.values(), VoteChoice::wireName),
                vote.optionalString("comment"),
                vote.instant("time"),
                vote.optionalString("channel").orElse(""));
    }

    /** One JSON object being read, with its path for error messages: {@code decision.effect}. */
    private record Fields(JsonNode json, String path, String source) {

        Fields {
            if (!json.isObject()) {
                throw new CountersignProtocolException(source + ": " + (path.isEmpty() ? "answer" : path) + " is "
                        + json.getNodeType() + ", want an object");
            }
        }

        private String name(String field) {
            return path.isEmpty() ? field : path + "." + field;
        }

        private CountersignProtocolException bad(String field, String problem) {
            return new CountersignProtocolException(source + ": field '" + name(field) + "' " + problem);
        }

        private Optional<JsonNode> present(String field) {
            JsonNode value = json.get(field);
            return value == null || value.isNull() ? Optional.empty() : Optional.of(value);
        }

        private JsonNode required(String field) {
            return present(field).orElseThrow(() -> bad(field, "is missing"));
        }

        String string(String field) {
            JsonNode value = required(field);
            if (!value.isString()) {
                throw bad(field, "is " + value.getNodeType() + ", want a string");
            }
            return value.stringValue();
        }

        Optional<String> optionalString(String field) {
            return present(field).map(value -> string(field));
        }

        int positiveInt(String field) {
            JsonNode value = required(field);
            if (!value.isInt() || value.intValue() < 1) {
                throw bad(field, "is " + value + ", want a positive integer");
            }
            return value.intValue();
        }

        Instant instant(String field) {
            String text = string(field);
            try {
                return OffsetDateTime.parse(text).toInstant();
            } catch (DateTimeParseException e) {
                throw bad(field, "is '" + text + "', want an ISO-8601 time with an offset");
            }
        }

        Optional<Instant> optionalInstant(String field) {
            return present(field).map(value -> instant(field));
        }

        URI uri(String field) {
            String text = string(field);
            try {
                return new URI(text);
            } catch (java.net.URISyntaxException e) {
                throw bad(field, "is '" + text + "', not a URI: " + e.getReason());
            }
        }

        <E extends Enum<E>> E enumValue(String field, E[] values, Function<E, String> wireName) {
            String text = string(field);
            return Arrays.stream(values)
                    .filter(v -> wireName.apply(v).equals(text))
                    .findFirst()
                    .orElseThrow(() -> bad(
                            field,
                            "is '" + text + "', want one of "
                                    + Arrays.stream(values).map(wireName).collect(Collectors.joining(", "))));
        }

        Fields object(String field) {
            return new Fields(required(field), name(field), source);
        }

        Optional<Fields> optionalObject(String field) {
            return present(field).map(value -> object(field));
        }

        List<String> strings(String field) {
            JsonNode value = required(field);
            if (!value.isArray()) {
                throw bad(field, "is " + value.getNodeType() + ", want an array of strings");
            }
            List<String> out = new ArrayList<>(value.size());
            for (int i = 0; i < value.size(); i++) {
                if (!value.get(i).isString()) {
                    throw bad(field, "has " + value.get(i).getNodeType() + " at index " + i + ", want a string");
                }
                out.add(value.get(i).stringValue());
            }
            return out;
        }

        List<String> optionalStrings(String field) {
            return present(field).isPresent() ? strings(field) : List.of();
        }

        List<Fields> optionalObjects(String field) {
            Optional<JsonNode> value = present(field);
            if (value.isEmpty()) {
                return List.of();
            }
            if (!value.get().isArray()) {
                throw bad(field, "is " + value.get().getNodeType() + ", want an array of objects");
            }
            List<Fields> out = new ArrayList<>(value.get().size());
            for (int i = 0; i < value.get().size(); i++) {
                out.add(new Fields(value.get().get(i), name(field) + "[" + i + "]", source));
            }
            return out;
        }
    }
}
