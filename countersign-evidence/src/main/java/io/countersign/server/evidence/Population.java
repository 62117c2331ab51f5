package io.countersign.server.evidence;

import io.countersign.audit.AuditEventType;
import io.countersign.identity.Person;
import io.countersign.server.evidence.RequestRecord.BreakGlassRecord;
import io.countersign.server.evidence.RequestRecord.VoteRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Folds the cited audit entries into the population: one {@link RequestRecord} per request
 * whose {@code request.created} entry falls in the period, and one per action an enforcing
 * adapter ran as allowed outright whose {@code action.allowed} entry does, in log order. Entries of requests
 * created outside the period are ignored; the log is the only source.
 */
final class Population {
    private static final String REQUEST_CREATED = AuditEventType.REQUEST_CREATED.wireName();
    private static final String ACTION_ALLOWED = AuditEventType.ACTION_ALLOWED.wireName();

    private Population() {}

    /**
     * Whether this entry opens a record of the population: a request's first entry, or the only
     * entry before its execution of an action an enforcing adapter allowed outright.
     */
    static boolean opensARecord(LoggedEvent event) {
        return event.type().equals(REQUEST_CREATED) || isAllowance(event);
    }

    /** Whether this entry is an action an enforcing adapter allowed outright (one entry, no request). */
    static boolean isAllowance(LoggedEvent event) {
        return event.type().equals(ACTION_ALLOWED);
    }

    static List<RequestRecord> of(List<LoggedEvent> events, EvidencePeriod period) {
        Map<String, Builder> requests = new LinkedHashMap<>();
        for (LoggedEvent event : events) {
            if (event.request().isEmpty()) {
                continue;
            }
            String id = event.request().get();
            if (opensARecord(event)) {
                if (period.contains(event.time()) && !requests.containsKey(id)) {
                    requests.put(id, new Builder(id, event));
                }
                continue;
            }
            Builder request = requests.get(id);
            if (request != null) {
                request.apply(event);
            }
        }
        return requests.values().stream().map(Builder::build).toList();
    }

    /** The request's record as its entries so far say. */
    private static final class Builder {
        final String id;
        final Instant createdAt;
        final String agent;
        final String onBehalfOf;
        final Optional<Person> onBehalfOfPerson;
        final String delegation;
        final String action;
        final String resource;
        String effect = "";
        final List<String> rules = new ArrayList<>();
        String policyVersion = "";
        String status = "pending";

        @Nullable
        Instant decidedAt;

        String decidedBy = "";
        final List<VoteRecord> votes = new ArrayList<>();

        @Nullable
        BreakGlassRecord breakGlass;

        @Nullable
        Instant executedAt;

        String outcome = "";

        @Nullable
        Instant grantExpiresAt;

        final List<Long> seqs = new ArrayList<>();

        Builder(String id, LoggedEvent created) {
            this.id = id;
            this.createdAt = created.time();
            this.agent = created.text("agent");
            this.onBehalfOf = created.text("onBehalfOf");
            JsonNode person = created.data().path("onBehalfOfPerson");
            this.onBehalfOfPerson = person.isObject()
                    ? Optional.of(new Person(
                            person.path("name").asString(""),
                            person.path("email").asString("")))
                    : Optional.empty();
            this.delegation = isAllowance(created) ? "none" : created.text("delegation");
            this.action = created.text("action");
            this.resource = created.text("resource");
            seqs.add(created.seq());
            if (isAllowance(created)) {
                // An enforcing adapter's action allowed outright: its one entry says what a request's
                // created, decision.made and request.approved entries say. It acts for nobody.
                JsonNode decision = created.data().path("decision");
                effect = decision.path("effect").asString("");
                decision.path("rules").forEach(rule -> rules.add(rule.asString()));
                policyVersion = decision.path("policyVersion").asString("");
                status = "approved";
                decidedAt = created.time();
                decidedBy = "policy";
            }
        }

        void apply(LoggedEvent event) {
            seqs.add(event.seq());
            JsonNode data = event.data();
            switch (event.type()) {
                case "decision.made" -> {
                    effect = event.text("effect");
                    rules.clear();
                    data.path("rules").forEach(rule -> rules.add(rule.asString()));
                    policyVersion = event.text("policyVersion");
                }
                case "vote.cast" ->
                    votes.add(new VoteRecord(
                            event.text("voter"),
                            event.text("email"),
                            event.text("choice"),
                            event.text("channel"),
                            event.time(),
                            event.text("comment"),
                            data.path("breakGlass").asBoolean(false)));
                case "request.approved", "request.denied", "request.expired", "request.cancelled" -> {
                    status = event.text("status");
                    decidedAt = event.time();
                    decidedBy = event.text("decidedBy");
                }
                case "breakglass.used" ->
                    breakGlass = new BreakGlassRecord(
                            event.text("usedBy"),
                            event.text("reason"),
                            event.time(),
                            Optional.empty(),
                            Optional.empty(),
                            "");
                case "breakglass.review.acknowledged" -> {
                    if (breakGlass != null) {
                        breakGlass = new BreakGlassRecord(
                                breakGlass.usedBy(),
                                breakGlass.reason(),
                                breakGlass.usedAt(),
                                Optional.of(event.text("acknowledgedBy")),
                                Optional.of(event.time()),
                                event.text("comment"));
                    }
                }
                case "action.executed", "action.allowed.executed" -> {
                    executedAt = event.time();
                    outcome = event.text("outcome");
                }
                case "grant.issued" -> {
                    try {
                        grantExpiresAt = Instant.parse(event.text("expiresAt"));
                    } catch (java.time.format.DateTimeParseException e) {
                        grantExpiresAt = event.time(); // an entry without its expiry still says a grant exists
                    }
                }
                default -> {
                    // grant.used: cited for the chain, nothing more to show
                }
            }
        }

        RequestRecord build() {
            return new RequestRecord(
                    id,
                    createdAt,
                    agent,
                    onBehalfOf,
                    onBehalfOfPerson,
                    delegation,
                    action,
                    resource,
                    effect,
                    rules,
                    policyVersion,
                    status,
                    Optional.ofNullable(decidedAt),
                    decidedBy,
                    votes,
                    Optional.ofNullable(breakGlass),
                    Optional.ofNullable(executedAt),
                    outcome,
                    Optional.ofNullable(grantExpiresAt),
                    seqs);
        }
    }
}
