package io.countersign.server.evidence;

import io.countersign.server.policychange.LineDiff;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;

/**
 * The policy versions in view and the changes between consecutive ones, from the cited entries:
 * each version's full text (a {@code policy.loaded} entry carries it as {@code source}; a change
 * proposed through the approval flow carries it in its request's params), and for each change the
 * approval trail of its {@code policy.changed} (proposer, reason, every vote with its channel,
 * who applied it) or, when no approved change led to it, an exception: loaded from disk without
 * approval. A pure function of the entries, so that a verifier rebuilds the same files.
 */
record PolicyHistory(Map<String, String> texts, List<Change> changes) {
    /** Where the texts and diffs go in the zip. */
    static final String FOLDER = "policies/";

    /** One change of the version in force: a load whose version differs from the load before it. */
    record Change(
            long seq,
            Instant at,
            String from,
            String to,
            String file,
            boolean approved,
            String request,
            String proposedBy,
            String reason,
            List<String> approvals,
            String appliedBy,
            List<Long> seqs) {
        Change {
            approvals = List.copyOf(approvals);
            seqs = List.copyOf(seqs);
        }

        /** A change no approved {@code policy.changed} led to: loaded from disk without approval. */
        static Change fromDisk(LoggedEvent load, String from, String to) {
            return new Change(
                    load.seq(),
                    load.time(),
                    from,
                    to,
                    load.text("file"),
                    false,
                    "",
                    "",
                    "",
                    List.of(),
                    "",
                    List.of(load.seq()));
        }
    }

    PolicyHistory {
        texts = java.util.Collections.unmodifiableMap(new TreeMap<>(texts));
        changes = List.copyOf(changes);
    }

    static PolicyHistory of(List<LoggedEvent> events, EvidencePeriod period) {
        Map<String, String> texts = new TreeMap<>();
        Map<String, List<String>> votes = new LinkedHashMap<>();
        Map<String, List<Long>> requestSeqs = new LinkedHashMap<>();
        for (LoggedEvent event : events) {
            event.request().ifPresent(id -> requestSeqs
                    .computeIfAbsent(id, k -> new ArrayList<>())
                    .add(event.seq()));
            if (event.type().equals("policy.loaded")
                    && event.data().path("source").isString()) {
                texts.putIfAbsent(event.text("version"), event.text("source"));
            }
            if (event.type().equals("request.created") && event.text("action").equals("policy.change")) {
                JsonNode params = event.data().path("params");
                if (params.path("version").isString() && params.path("content").isString()) {
                    texts.putIfAbsent(
                            params.path("version").asString(),
                            params.path("content").asString());
                }
            }
            if (event.type().equals("vote.cast") && event.request().isPresent()) {
                votes.computeIfAbsent(event.request().get(), k -> new ArrayList<>())
                        .add(event.text("voter") + ":" + event.text("choice") + "@" + event.text("channel") + " "
                                + event.time());
            }
        }
        List<Change> changes = new ArrayList<>();
        Optional<LoggedEvent> previous = Optional.empty();
        for (int i = 0; i < events.size(); i++) {
            LoggedEvent load = events.get(i);
            if (!load.type().equals("policy.loaded") || !load.time().isBefore(period.to())) {
                continue;
            }
            String version = load.text("version");
            Optional<String> before = previous.map(p -> p.text("version"));
            previous = Optional.of(load);
            if (before.isEmpty() || before.get().equals(version) || !period.contains(load.time())) {
                continue; // the first version in view, a reload of the same one, or a change before the period
            }
            Optional<LoggedEvent> changed = approvedChange(events, i, before.get(), version);
            if (changed.isEmpty()) {
                changes.add(Change.fromDisk(load, before.get(), version));
                continue;
            }
            LoggedEvent change = changed.get();
            String request = change.request().orElse("");
            List<String> approvers = new ArrayList<>();
            change.data().path("approvedBy").forEach(approver -> approvers.add(approver.asString()));
            List<String> trail = votes.getOrDefault(request, List.of());
            List<Long> seqs = new ArrayList<>(requestSeqs.getOrDefault(request, List.of()));
            seqs.add(load.seq());
            seqs.sort(null);
            changes.add(new Change(
                    load.seq(),
                    load.time(),
                    before.get(),
                    version,
                    load.text("file"),
                    true,
                    request,
                    change.text("proposedBy"),
                    change.text("reason"),
                    trail.isEmpty() ? approvers : trail,
                    change.text("appliedBy"),
                    seqs.stream().distinct().toList()));
        }
        return new PolicyHistory(texts, changes);
    }

    /** The {@code policy.changed} an approved change records right after its load, before any other load. */
    private static Optional<LoggedEvent> approvedChange(
            List<LoggedEvent> events, int load, String before, String version) {
        for (int k = load + 1; k < events.size(); k++) {
            LoggedEvent next = events.get(k);
            if (next.type().equals("policy.loaded")) {
                return Optional.empty();
            }
            if (next.type().equals("policy.changed")
                    && next.text("version").equals(version)
                    && next.text("previousVersion").equals(before)) {
                return Optional.of(next);
            }
        }
        return Optional.empty();
    }

    /** The zip path of a version's text. */
    static String textFile(String version) {
        return FOLDER + safe(version) + ".yaml";
    }

    /** The zip path of the diff of a change, present when both texts are known. */
    static Optional<String> diffFile(Map<String, String> texts, Change change) {
        return texts.containsKey(change.from()) && texts.containsKey(change.to())
                ? Optional.of(FOLDER + safe(change.from()) + "-to-" + safe(change.to()) + ".diff")
                : Optional.empty();
    }

    /** A unified line diff, with the two versions in its header; only for a change {@link #diffFile} names a file for. */
    static String diff(Map<String, String> texts, Change change) {
        return "--- " + change.from() + "\n+++ " + change.to() + "\n"
                + LineDiff.between(text(texts, change.from()), text(texts, change.to()));
    }

    /** The text of a version the log holds. */
    static String text(Map<String, String> texts, String version) {
        String text = texts.get(version);
        if (text == null) {
            throw new IllegalArgumentException("the log holds no text of policy version " + version);
        }
        return text;
    }

    /** The versions in force in view (loaded before the period's end), each with its text when the log holds it. */
    List<String> versionsWithText(List<EvidenceAnalysis.PolicyRow> rows) {
        return rows.stream()
                .filter(row -> row.event().equals("policy.loaded"))
                .map(EvidenceAnalysis.PolicyRow::version)
                .filter(texts::containsKey)
                .distinct()
                .sorted()
                .toList();
    }

    private static String safe(String version) {
        return version.replaceAll("[^A-Za-z0-9._-]", "-");
    }
}
