package io.countersign.server.evidence;

import static java.util.Objects.requireNonNull;

import io.countersign.store.AuditLeafSink;
import io.countersign.store.GatewayStore;
import io.countersign.store.StoredCheckpoint;
import io.countersign.tlog.TlogException;
import io.countersign.tlog.checkpoint.Checkpoint;
import io.countersign.tlog.checkpoint.SignedCheckpoint;
import io.countersign.tlog.note.NoteVerifier;
import io.countersign.tlog.proof.ProofBuilder;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import tools.jackson.databind.json.JsonMapper;

/**
 * Builds an evidence package from a store's audit log, under its newest signed checkpoint:
 * nothing is written to the log, so it works on a copy of a data folder and needs no signing
 * key (entries appended after that checkpoint are left for the next export).
 *
 * <p>Which entries it cites: every entry from the first one timed at or after {@code from} to
 * the last one timed before {@code to} or belonging to a request created in the period (a
 * contiguous range, held in full); the entry just before that range and the one just after it
 * (so that a verifier sees where the period starts and ends); and the {@code policy.loaded}
 * entries before the range of the policy in force at {@code from} and of every version that
 * decided a request of the period; and every identity event before the range (agents and
 * humans created, suspended, resumed, revoked, their groups changed), for the inventory at the
 * period's start; and every entry of a policy change's request whose {@code policy.changed} is
 * in the period (its proposal, votes, grant), for the change's approval trail.
 */
public final class EvidenceExporter {
    private static final int PAGE = 5_000;

    private final GatewayStore store;
    private final NoteVerifier key;
    private final JsonMapper mapper;

    public EvidenceExporter(GatewayStore store, NoteVerifier key, JsonMapper mapper) {
        this.store = requireNonNull(store, "store is null");
        this.key = requireNonNull(key, "key is null");
        this.mapper = requireNonNull(mapper, "mapper is null");
    }

    /** What an export wrote. */
    public record Exported(long requests, long cited, long logSize, long first, long end, String manifestSha256) {}

    /** The log can't back a package: no checkpoint yet, or one not signed by the key. */
    public static final class NotExportable extends Exception {
        public NotExportable(String message) {
            super(message);
        }
    }

    /** Writes the package for {@code period} as a zip to {@code out}. */
    public Exported export(EvidencePeriod period, OutputStream out) throws IOException, NotExportable {
        StoredCheckpoint stored = store.audit()
                .latestCheckpoint()
                .orElseThrow(
                        () -> new NotExportable("the log has no signed checkpoint yet: start the gateway on it once"));
        Checkpoint checkpoint;
        try {
            checkpoint = SignedCheckpoint.parse(stored.note()).verify(key);
        } catch (TlogException | IllegalArgumentException e) {
            throw new NotExportable("the log's newest checkpoint is not signed by " + key + ": " + e.getMessage());
        }
        long size = checkpoint.size();
        Selection selection = select(period, size);
        List<EvidencePackage.Cited> cited = new ArrayList<>();
        ProofBuilder proofs =
                new ProofBuilder(new PrefetchingHashReader(store.audit().hashes(), size));
        List<Long> seqs = List.copyOf(selection.seqs());
        for (int i = 0; i < seqs.size(); ) {
            // Read runs of consecutive entries a page at a time: the range is most of them.
            int run = 1;
            while (i + run < seqs.size() && run < PAGE && seqs.get(i + run) == seqs.get(i) + run) {
                run++;
            }
            List<byte[]> leaves = store.auditLeaves(seqs.get(i), seqs.get(i) + run);
            for (int k = 0; k < run; k++) {
                long seq = seqs.get(i + k);
                cited.add(new EvidencePackage.Cited(
                        LoggedEvent.parse(mapper, leaves.get(k)),
                        proofs.inclusion(seq, size).hashes()));
            }
            i += run;
        }
        LogHead head = new LogHead(
                checkpoint.origin(),
                size,
                Base64.getEncoder().encodeToString(checkpoint.rootHash()),
                key.format(),
                selection.first(),
                selection.end(),
                cited.size());
        Map<String, byte[]> files = EvidencePackage.assemble(period, cited, head, stored.note());
        EvidencePackage.writeZip(files, out);
        long requests = Population.of(
                        cited.stream().map(EvidencePackage.Cited::event).toList(), period)
                .size();
        return new Exported(
                requests,
                cited.size(),
                size,
                selection.first(),
                selection.end(),
                EvidencePackage.sha256(requireNonNull(
                        files.get(EvidencePackage.MANIFEST), "the package was assembled without its manifest")));
    }

    private record Selection(long first, long end, TreeSet<Long> seqs) {}

    /** One pass over the entries the checkpoint covers, keeping only positions and a few names. */
    private Selection select(EvidencePeriod period, long size) throws IOException {
        var state = new Object() {
            long first = -1;
            long lastBefore = -1;
            long lastOfPeriod = -1;
            long policyAtStart = -1;
            final Set<String> requests = new HashSet<>();
            final Set<String> versions = new HashSet<>();
            final Map<String, Long> loadsBefore = new HashMap<>();
            final List<Long> identitiesBefore = new ArrayList<>();
            final Map<String, List<Long>> policyChangeRequests = new HashMap<>();
            final Set<String> policyChangesInPeriod = new HashSet<>();
        };
        scan(size, (seq, leaf) -> {
            LoggedEvent event = LoggedEvent.parse(mapper, leaf);
            Instant time = event.time();
            if (state.first < 0 && !time.isBefore(period.from())) {
                state.first = seq;
            }
            if (state.first < 0 && Inventory.TYPES.contains(event.type())) {
                state.identitiesBefore.add(seq); // for the inventory at the period's start
            }
            if (state.first < 0 && event.type().equals("policy.loaded")) {
                state.policyAtStart = seq;
                state.loadsBefore.put(event.text("version"), seq);
            }
            if (time.isBefore(period.to())) {
                state.lastBefore = seq;
            }
            String request = event.request().orElse(null);
            // A policy change's approval trail (its request's entries), for the policy.changed of the period.
            if (request != null
                    && event.type().equals("request.created")
                    && event.text("action").equals("policy.change")) {
                state.policyChangeRequests.put(request, new ArrayList<>());
            }
            if (request != null && state.policyChangeRequests.containsKey(request)) {
                state.policyChangeRequests.get(request).add(seq);
                if (event.type().equals("policy.changed") && period.contains(time)) {
                    state.policyChangesInPeriod.add(request);
                }
            }
            if (request != null && Population.opensARecord(event) && period.contains(time)) {
                state.requests.add(request);
            }
            if (request != null && state.requests.contains(request)) {
                state.lastOfPeriod = seq;
                if (event.type().equals("decision.made")) {
                    state.versions.add(event.text("policyVersion"));
                }
                if (Population.isAllowance(event)) {
                    state.versions.add(
                            event.data().path("decision").path("policyVersion").asString(""));
                }
            }
        });
        long first = state.first < 0 ? size : state.first;
        long end = Math.max(first, Math.max(state.lastBefore, state.lastOfPeriod) + 1);
        TreeSet<Long> seqs = new TreeSet<>();
        for (long seq = first; seq < end; seq++) {
            seqs.add(seq);
        }
        if (first > 0) {
            seqs.add(first - 1);
        }
        if (end < size) {
            seqs.add(end);
        }
        if (state.policyAtStart >= 0) {
            seqs.add(state.policyAtStart);
        }
        seqs.addAll(state.identitiesBefore);
        state.policyChangesInPeriod.forEach(request -> seqs.addAll(state.policyChangeRequests.get(request)));
        state.versions.stream()
                .map(state.loadsBefore::get)
                .filter(java.util.Objects::nonNull)
                .forEach(seqs::add);
        return new Selection(first, end, seqs);
    }

    private interface LeafVisitor {
        void visit(long seq, byte[] leaf);
    }

    private void scan(long size, LeafVisitor visitor) throws IOException {
        try {
            store.audit().scanEntries(0, new AuditLeafSink() {
                @Override
                public void accept(long seq, byte[] leaf) throws IOException {
                    if (seq >= size) {
                        throw Stop.INSTANCE;
                    }
                    visitor.visit(seq, leaf);
                }
            });
        } catch (Stop stop) {
            // past the checkpoint: later entries are the next export's
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** Ends a scan early; carries no stack trace. */
    private static final class Stop extends IOException {
        static final Stop INSTANCE = new Stop();

        private Stop() {
            super("stop", null);
            setStackTrace(new StackTraceElement[0]);
        }
    }
}
