package io.countersign.workflow;

import io.countersign.audit.AuditEntry;
import io.countersign.audit.AuditEvent;
import io.countersign.breaker.TrippedBreaker;
import io.countersign.identity.StoredCredential;
import io.countersign.identity.Suspension;
import io.countersign.outbox.OutboxEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/** A hand-written fake of the store port: one lock, and work that throws leaves nothing behind. */
final class InMemoryStore implements Store {
    private final Map<RequestId, ApprovalRequest> requests = new LinkedHashMap<>();
    private final List<AuditEntry> audit = new ArrayList<>();
    private final List<OutboxEvent> outbox = new ArrayList<>();
    private final Map<List<String>, TrippedBreaker> tripped = new LinkedHashMap<>();
    private final FakeSuspensions suspensions = new FakeSuspensions();

    @Override
    public synchronized <T> T transact(Function<Transaction, T> work) {
        Map<RequestId, ApprovalRequest> before = new LinkedHashMap<>(requests);
        int auditBefore = audit.size();
        int outboxBefore = outbox.size();
        Map<List<String>, TrippedBreaker> trippedBefore = new LinkedHashMap<>(tripped);
        List<Suspension> suspendedBefore = suspensions.suspended();
        try {
            return work.apply(new Tx());
        } catch (RuntimeException e) {
            requests.clear();
            requests.putAll(before);
            tripped.clear();
            tripped.putAll(trippedBefore);
            audit.subList(auditBefore, audit.size()).clear();
            outbox.subList(outboxBefore, outbox.size()).clear();
            suspensions.suspended().forEach(suspension -> suspensions.resume(suspension.agent()));
            suspendedBefore.forEach(suspensions::suspend);
            throw e;
        }
    }

    @Override
    public synchronized Optional<ApprovalRequest> find(RequestId id) {
        return Optional.ofNullable(requests.get(id));
    }

    @Override
    public synchronized List<ApprovalRequest> findPending() {
        return requests.values().stream()
                .filter(ApprovalRequest::isPending)
                .sorted(Comparator.comparing(ApprovalRequest::createdAt))
                .toList();
    }

    @Override
    public synchronized List<ApprovalRequest> findExpired(Instant now) {
        return findPending().stream()
                .filter(r -> !r.expiresAt().orElseThrow().isAfter(now))
                .toList();
    }

    synchronized List<AuditEntry> audit() {
        return List.copyOf(audit);
    }

    synchronized List<String> auditTypes(RequestId id) {
        return audit.stream()
                .filter(e -> e.event().requestId().equals(Optional.of(id.value())))
                .map(e -> e.event().type().wireName())
                .toList();
    }

    /** The suspensions this store's transactions write. */
    FakeSuspensions suspensions() {
        return suspensions;
    }

    synchronized List<OutboxEvent> outbox() {
        return List.copyOf(outbox);
    }

    @Override
    public void close() {}

    private final class Tx implements Transaction {

        @Override
        public Optional<ApprovalRequest> find(RequestId id) {
            return Optional.ofNullable(requests.get(id));
        }

        @Override
        public Optional<ApprovalRequest> findByIdempotencyKey(String agentName, String idempotencyKey) {
            return requests.values().stream()
                    .filter(r -> r.agent().name().equals(agentName)
                            && r.idempotencyKey().equals(Optional.of(idempotencyKey)))
                    .findFirst();
        }

        @Override
        public void insert(ApprovalRequest request) {
            if (requests.containsKey(request.id())) {
                throw new IllegalStateException("duplicate id " + request.id());
            }
            requests.put(request.id(), request);
        }

        @Override
        public void update(ApprovalRequest request) {
            if (!requests.containsKey(request.id())) {
                throw new IllegalStateException("no request " + request.id());
            }
            requests.put(request.id(), request);
        }

        @Override
        public long append(AuditEvent event) {
            long seq = audit.size();
            audit.add(new AuditEntry(seq, event));
            return seq;
        }

        @Override
        public void enqueue(OutboxEvent event) {
            outbox.add(event);
        }

        @Override
        public Optional<TrippedBreaker> trippedBreaker(String agent, String breaker) {
            return Optional.ofNullable(tripped.get(List.of(agent, breaker)));
        }

        @Override
        public boolean tripBreaker(TrippedBreaker trip) {
            return tripped.putIfAbsent(List.of(trip.agent(), trip.breaker()), trip) == null;
        }

        @Override
        public Optional<TrippedBreaker> resetBreaker(String agent, String breaker) {
            return Optional.ofNullable(tripped.remove(List.of(agent, breaker)));
        }

        @Override
        public void createCredential(StoredCredential credential) {
            throw new UnsupportedOperationException("this fake keeps no credentials");
        }

        @Override
        public int revokeAgent(String agentName, Instant at) {
            throw new UnsupportedOperationException("this fake keeps no credentials");
        }

        @Override
        public boolean suspend(Suspension suspension) {
            return suspensions.suspend(suspension);
        }

        @Override
        public boolean resume(String agentName) {
            return suspensions.resume(agentName);
        }

        @Override
        public void dismiss(io.countersign.insights.Dismissal dismissal) {
            throw new UnsupportedOperationException("this fake keeps no dismissals");
        }

        @Override
        public boolean restore(String item) {
            throw new UnsupportedOperationException("this fake keeps no dismissals");
        }
    }
}
