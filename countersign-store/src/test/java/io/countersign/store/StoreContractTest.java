package io.countersign.store;

import static io.countersign.store.Requests.T0;
import static io.countersign.store.Requests.created;
import static io.countersign.store.Requests.event;
import static io.countersign.store.Requests.pending;
import static io.countersign.store.Requests.vote;
import static io.countersign.store.Requests.withVote;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.countersign.audit.AuditEntry;
import io.countersign.audit.AuditEvent;
import io.countersign.audit.AuditEventType;
import io.countersign.breaker.TrippedBreaker;
import io.countersign.workflow.ApprovalRequest;
import io.countersign.workflow.RequestId;
import io.countersign.workflow.Store;
import io.countersign.workflow.Vote;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What every {@link Store} implementation must do; each dialect's test extends this with a way to
 * open its store and to read its audit log.
 */
public abstract class StoreContractTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    protected Path dir;

    protected Store store;

    /** Opens (or reopens) the store kept in {@code dir}. */
    protected abstract Store newStore(Path dir);

    /** The number of committed audit entries. */
    protected abstract long auditSize(Store store);

    /** The leaf bytes of audit entries [start, end). */
    protected abstract List<byte[]> auditLeaves(Store store, long start, long end);

    @BeforeEach
    void openStore() {
        store = newStore(dir);
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    @Test
    public void insertedRequest_withVotesGrantAndExecution_isFoundUnchanged() {
        ApprovalRequest request = Requests.executedWithEverything();

        store.transact(tx -> {
            tx.insert(request);
            return null;
        });

        assertThat(store.find(request.id())).contains(request);
        assertThat(store.find(request.id()).orElseThrow().action().digest()).isEqualTo(request.digest());
    }

    @Test
    public void update_replacesTheRequest_throughItsWholeLife() {
        ApprovalRequest created = pending("reporting-bot");
        store.transact(tx -> {
            tx.insert(created);
            return null;
        });
        ApprovalRequest voted = withVote(created, vote("bob", Vote.Choice.APPROVE, T0.plusSeconds(5)));
        ApprovalRequest approved = Requests.approved(
                withVote(voted, vote("carol", Vote.Choice.APPROVE, T0.plusSeconds(6))), "carol", T0.plusSeconds(6));
        ApprovalRequest executed = Requests.executed(approved, T0.plusSeconds(9));

        for (ApprovalRequest next : List.of(voted, approved, executed)) {
            store.transact(tx -> {
                tx.update(next);
                return null;
            });
            assertThat(store.find(created.id())).contains(next);
        }
        assertThat(store.findPending()).isEmpty();
    }

    @Test
    public void find_insideTheTransaction_seesItsOwnWrites() {
        ApprovalRequest request = pending("reporting-bot");

        Optional<ApprovalRequest> seen = store.transact(tx -> {
            tx.insert(request);
            return tx.find(request.id());
        });

        assertThat(seen).contains(request);
    }

    @Test
    public void requestsCreatedBetween_areExactlyThoseOfTheWindow_oldestFirst() {
        ApprovalRequest before =
                pending(RequestId.random(), "a", T0.minusNanos(1), Duration.ofMinutes(5), Optional.empty());
        ApprovalRequest first = pending(RequestId.random(), "b", T0, Duration.ofMinutes(5), Optional.empty());
        ApprovalRequest second =
                pending(RequestId.random(), "c", T0.plusSeconds(60), Duration.ofMinutes(5), Optional.empty());
        ApprovalRequest atTheEnd =
                pending(RequestId.random(), "d", T0.plusSeconds(120), Duration.ofMinutes(5), Optional.empty());
        store.transact(tx -> {
            for (ApprovalRequest request : List.of(atTheEnd, second, before, first)) {
                tx.insert(request);
            }
            return null;
        });

        List<ApprovalRequest> window = ((GatewayStore) store).requestsCreatedBetween(T0, T0.plusSeconds(120));

        assertThat(window).containsExactly(first, second);
    }

    @Test
    public void find_ofAnUnknownId_isEmpty() {
        assertThat(store.find(RequestId.random())).isEmpty();
        assertThat(store.<Optional<ApprovalRequest>>transact(tx -> tx.find(RequestId.random())))
                .isEmpty();
    }

    @Test
    public void findByIdempotencyKey_findsOnlyThatAgentsRequest() {
        ApprovalRequest request = pending("reporting-bot", T0, Duration.ofMinutes(5), Optional.of("key-1"));
        store.transact(tx -> {
            tx.insert(request);
            return null;
        });

        assertThat(store.<Optional<ApprovalRequest>>transact(tx -> tx.findByIdempotencyKey("reporting-bot", "key-1")))
                .contains(request);
        assertThat(store.<Optional<ApprovalRequest>>transact(tx -> tx.findByIdempotencyKey("other-bot", "key-1")))
                .isEmpty();
        assertThat(store.<Optional<ApprovalRequest>>transact(tx -> tx.findByIdempotencyKey("reporting-bot", "key-2")))
                .isEmpty();
    }

    @Test
    public void sameIdempotencyKey_forAnotherAgent_isAccepted() {
        ApprovalRequest first = pending("bot-a", T0, Duration.ofMinutes(5), Optional.of("key-1"));
        ApprovalRequest second = pending("bot-b", T0, Duration.ofMinutes(5), Optional.of("key-1"));

        store.transact(tx -> {
            tx.insert(first);
            tx.insert(second);
            return null;
        });

        assertThat(store.find(second.id())).contains(second);
    }

    @Test
    public void insert_ofATakenId_isRefused_andRollsBackOnlyThatWork() {
        ApprovalRequest original = pending("reporting-bot");
        store.transact(tx -> {
            tx.insert(original);
            tx.append(created(original));
            return null;
        });
        ApprovalRequest impostor =
                pending(original.id(), "other-bot", T0.plusSeconds(1), Duration.ofMinutes(1), Optional.empty());

        assertThatThrownBy(() -> store.transact(tx -> {
                    tx.append(created(impostor));
                    tx.insert(impostor);
                    return null;
                }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("request " + original.id() + " already exists");

        assertThat(store.find(original.id())).contains(original);
        assertThat(auditSize(store)).isEqualTo(1);
        assertThat(store.<Long>transact(tx -> tx.append(created(original))))
                .as("the refused work's seq was given back")
                .isEqualTo(1);
    }

    @Test
    public void insert_ofATakenIdempotencyKey_isRefused_andRollsBackOnlyThatWork() {
        ApprovalRequest first = pending("reporting-bot", T0, Duration.ofMinutes(5), Optional.of("key-1"));
        ApprovalRequest retry =
                pending("reporting-bot", T0.plusSeconds(1), Duration.ofMinutes(5), Optional.of("key-1"));
        store.transact(tx -> {
            tx.insert(first);
            return null;
        });

        assertThatThrownBy(() -> store.transact(tx -> {
                    tx.append(created(retry));
                    tx.insert(retry);
                    return null;
                }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(
                        "agent 'reporting-bot' already has request " + first.id() + " with idempotency key 'key-1'");

        assertThat(store.find(retry.id())).isEmpty();
        assertThat(store.find(first.id())).contains(first);
        assertThat(auditSize(store)).isZero();
    }

    @Test
    public void work_thatThrows_keepsNothing_andTheCallerGetsTheSameException() {
        ApprovalRequest request = pending("reporting-bot");
        RuntimeException boom = new IllegalStateException("the policy engine fell over");

        assertThatThrownBy(() -> store.transact(tx -> {
                    tx.insert(request);
                    tx.append(created(request));
                    tx.append(event(AuditEventType.DECISION_MADE, request, T0));
                    throw boom;
                }))
                .isSameAs(boom);

        assertThat(store.find(request.id())).isEmpty();
        assertThat(store.findPending()).isEmpty();
        assertThat(auditSize(store)).isZero();
    }

    @Test
    public void work_thatThrowsAnError_passesItOnUnchanged() {
        AssertionError error = new AssertionError("work failed an assertion");

        assertThatThrownBy(() -> store.transact(tx -> {
                    throw error;
                }))
                .isSameAs(error);
    }

    @Test
    public void work_thatCatchesARefusedInsert_keepsItsOtherWrites() {
        ApprovalRequest original = pending("reporting-bot");
        store.transact(tx -> {
            tx.insert(original);
            return null;
        });
        ApprovalRequest other = pending("reporting-bot");

        long seq = store.transact(tx -> {
            try {
                tx.insert(original);
            } catch (IllegalArgumentException expected) {
                // the workflow may decide to go on
            }
            tx.insert(other);
            return tx.append(created(other));
        });

        assertThat(seq).isZero();
        assertThat(store.find(other.id())).contains(other);
    }

    @Test
    public void append_storesTheEntrysLeafBytes_underConsecutiveSeqs() {
        ApprovalRequest request = pending("reporting-bot");
        AuditEvent first = created(request);
        AuditEvent second = event(AuditEventType.DECISION_MADE, request, T0.plusMillis(1));
        AuditEvent third = new AuditEvent(
                AuditEventType.POLICY_LOADED,
                T0,
                "system",
                Optional.empty(),
                Requests.params("{\"version\":\"sha256:abc\",\"rules\":3}"));

        List<Long> seqs = store.transact(tx -> List.of(tx.append(first), tx.append(second)));
        long thirdSeq = store.transact(tx -> tx.append(third));

        assertThat(seqs).containsExactly(0L, 1L);
        assertThat(thirdSeq).isEqualTo(2);
        assertThat(auditSize(store)).isEqualTo(3);
        assertThat(auditLeaves(store, 0, 3))
                .containsExactly(
                        new AuditEntry(0, first).leaf(),
                        new AuditEntry(1, second).leaf(),
                        new AuditEntry(2, third).leaf());
    }

    @Test
    public void update_ofAnUnknownRequest_isRefused() {
        ApprovalRequest request = pending("reporting-bot");

        assertThatThrownBy(() -> store.transact(tx -> {
                    tx.update(request);
                    return null;
                }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("request " + request.id() + " does not exist");
    }

    @Test
    public void update_thatDropsAVote_isRefused() {
        ApprovalRequest voted = withVote(pending("reporting-bot"), vote("bob", Vote.Choice.APPROVE, T0.plusSeconds(1)));
        store.transact(tx -> {
            tx.insert(voted);
            return null;
        });
        ApprovalRequest rewritten = withVote(
                pending(voted.id(), "reporting-bot", T0, Duration.ofMinutes(30), Optional.empty()),
                vote("mallory", Vote.Choice.APPROVE, T0.plusSeconds(2)));

        assertThatThrownBy(() -> store.transact(tx -> {
                    tx.update(rewritten);
                    return null;
                }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("votes are only ever added");
        assertThat(store.find(voted.id())).contains(voted);
    }

    @Test
    public void update_withASecondVoteBySamePerson_isRefused() {
        ApprovalRequest voted = withVote(pending("reporting-bot"), vote("bob", Vote.Choice.APPROVE, T0.plusSeconds(1)));
        store.transact(tx -> {
            tx.insert(voted);
            return null;
        });
        ApprovalRequest twice = withVote(voted, vote("bob", Vote.Choice.APPROVE, T0.plusSeconds(2)));

        assertThatThrownBy(() -> store.transact(tx -> {
                    tx.update(twice);
                    return null;
                }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'bob' has already voted");
        assertThat(store.find(voted.id())).contains(voted);
    }

    @Test
    public void update_thatChangesTheAgent_isRefused() {
        ApprovalRequest request = pending("reporting-bot");
        store.transact(tx -> {
            tx.insert(request);
            return null;
        });
        ApprovalRequest other =
                pending(request.id(), "other-bot", request.createdAt(), Duration.ofMinutes(30), Optional.empty());

        assertThatThrownBy(() -> store.transact(tx -> {
                    tx.update(other);
                    return null;
                }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("changes its agent from reporting-bot to other-bot");
    }

    @Test
    public void findPending_listsPendingRequests_oldestFirst() {
        ApprovalRequest newest = pending("bot", T0.plusSeconds(20), Duration.ofMinutes(1), Optional.empty());
        ApprovalRequest oldest = pending("bot", T0, Duration.ofMinutes(1), Optional.empty());
        ApprovalRequest middle = pending("bot", T0.plusSeconds(10), Duration.ofMinutes(1), Optional.empty());
        ApprovalRequest aNanosecondLater =
                pending("bot", T0.plusSeconds(10).plusNanos(1), Duration.ofMinutes(1), Optional.empty());
        ApprovalRequest decided = Requests.approved(
                pending("bot", T0.minusSeconds(10), Duration.ofMinutes(1), Optional.empty()), "bob", T0);
        store.transact(tx -> {
            List.of(newest, aNanosecondLater, oldest, middle, decided).forEach(tx::insert);
            return null;
        });

        assertThat(store.findPending()).containsExactly(oldest, middle, aNanosecondLater, newest);
    }

    @Test
    public void findExpired_listsPendingRequestsExpiringAtOrBeforeNow_soonestFirst() {
        Instant expiry = Instant.parse("2026-03-01T10:00:00.000500Z");
        ApprovalRequest expiresAtNow =
                pending("bot", expiry.minus(Duration.ofMinutes(30)), Duration.ofMinutes(30), Optional.empty());
        ApprovalRequest expiredEarlier =
                pending("bot", expiry.minus(Duration.ofMinutes(60)), Duration.ofMinutes(30), Optional.empty());
        ApprovalRequest laterInTheSameMilli = pending(
                "bot", expiry.minus(Duration.ofMinutes(30)).plusNanos(1), Duration.ofMinutes(30), Optional.empty());
        store.transact(tx -> {
            tx.insert(expiresAtNow);
            tx.insert(expiredEarlier);
            tx.insert(laterInTheSameMilli);
            return null;
        });

        assertThat(store.findExpired(expiry)).containsExactly(expiredEarlier, expiresAtNow);
        assertThat(store.findExpired(expiry.minusNanos(1))).containsExactly(expiredEarlier);
        assertThat(store.findExpired(expiry.plusNanos(1)))
                .containsExactly(expiredEarlier, expiresAtNow, laterInTheSameMilli);

        store.transact(tx -> {
            tx.update(Requests.approved(expiredEarlier, "bob", T0));
            return null;
        });
        assertThat(store.findExpired(expiry))
                .as("a decided request no longer expires")
                .containsExactly(expiresAtNow);
    }

    @Test
    public void concurrentTransactions_getConsecutiveSeqs_withoutGaps_evenWhenSomeFail() throws Exception {
        int threads = 8;
        int perThread = 500;
        record Committed(RequestId id, List<Long> seqs) {}
        ConcurrentLinkedQueue<Committed> committed = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<RequestId> failed = new ConcurrentLinkedQueue<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Random random = new Random(t);
            futures.add(pool.submit(() -> {
                for (int i = 0; i < perThread; i++) {
                    ApprovalRequest request = pending("bot-" + random.nextInt(4));
                    int events = 1 + random.nextInt(3);
                    boolean fails = random.nextInt(8) == 0;
                    try {
                        List<Long> seqs = store.transact(tx -> {
                            tx.insert(request);
                            List<Long> appended = new ArrayList<>();
                            for (int e = 0; e < events; e++) {
                                appended.add(tx.append(created(request)));
                            }
                            if (fails) {
                                throw new IllegalStateException("work of " + request.id() + " fails on purpose");
                            }
                            return appended;
                        });
                        committed.add(new Committed(request.id(), seqs));
                    } catch (IllegalStateException expected) {
                        failed.add(request.id());
                    }
                }
            }));
        }
        for (Future<?> future : futures) {
            future.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();

        long total = committed.stream().mapToLong(c -> c.seqs().size()).sum();
        assertThat(committed.size() + failed.size()).isEqualTo(threads * perThread);
        assertThat(failed).isNotEmpty();
        assertThat(auditSize(store)).isEqualTo(total);
        assertThat(committed.stream().flatMap(c -> c.seqs().stream()).sorted().toList())
                .isEqualTo(LongStream.range(0, total).boxed().toList());
        for (Committed c : committed) {
            assertThat(c.seqs())
                    .as("seqs of one transaction are consecutive")
                    .isEqualTo(LongStream.range(
                                    c.seqs().getFirst(),
                                    c.seqs().getFirst() + c.seqs().size())
                            .boxed()
                            .toList());
        }
        Set<String> failedIds = new HashSet<>();
        failed.forEach(id -> failedIds.add(id.value()));
        for (long start = 0; start < total; start += 10_000) {
            List<byte[]> leaves = auditLeaves(store, start, Math.min(total, start + 10_000));
            for (int i = 0; i < leaves.size(); i++) {
                JsonNode leaf = JSON.readTree(leaves.get(i));
                assertThat(leaf.get("seq").longValue()).isEqualTo(start + i);
                assertThat(failedIds).doesNotContain(leaf.get("request").stringValue());
            }
        }
        assertThat(failed).allSatisfy(id -> assertThat(store.find(id)).isEmpty());
        assertThat(committed).allSatisfy(c -> assertThat(store.find(c.id())).isPresent());
    }

    @Test
    public void reopening_keepsRequestsAndAuditEntries() {
        ApprovalRequest request = Requests.executedWithEverything();
        AuditEvent event = created(request);
        store.transact(tx -> {
            tx.insert(request);
            tx.append(event);
            return null;
        });

        store.close();
        store = newStore(dir);

        assertThat(store.find(request.id())).contains(request);
        assertThat(auditLeaves(store, 0, 1)).containsExactly(new AuditEntry(0, event).leaf());
        assertThat(store.<Long>transact(tx -> tx.append(event)))
                .as("seqs go on after a reopen")
                .isEqualTo(1);
    }

    private static TrippedBreaker trip(String agent, String breaker, int count) {
        return new TrippedBreaker(agent, breaker, T0, count, Duration.ofMinutes(1), Optional.of("req-" + count));
    }

    private List<TrippedBreaker> trippedBreakers() {
        return ((GatewayStore) store).trippedBreakers();
    }

    @Test
    public void trippedBreaker_isFoundByLaterTransactions_listed_andKeptAcrossAReopen() {
        TrippedBreaker tripped = trip("cleaner", "deletes", 21);

        assertThat(store.<Boolean>transact(tx -> tx.tripBreaker(tripped))).isTrue();
        store.close();
        store = newStore(dir);

        assertThat(store.<Optional<TrippedBreaker>>transact(tx -> tx.trippedBreaker("cleaner", "deletes")))
                .contains(tripped);
        assertThat(store.<Optional<TrippedBreaker>>transact(tx -> tx.trippedBreaker("cleaner", "exports")))
                .isEmpty();
        assertThat(trippedBreakers()).containsExactly(tripped);
    }

    @Test
    public void trippingATrippedBreaker_changesNothing_andSaysSo() {
        store.transact(tx -> tx.tripBreaker(trip("cleaner", "deletes", 21)));

        assertThat(store.<Boolean>transact(tx -> tx.tripBreaker(trip("CLEANER", "deletes", 30))))
                .as("agent names compare without case")
                .isFalse();
        assertThat(trippedBreakers()).containsExactly(trip("cleaner", "deletes", 21));
    }

    @Test
    public void resettingABreaker_removesTheTrip_andReturnsIt() {
        store.transact(tx -> tx.tripBreaker(trip("cleaner", "deletes", 21)));
        store.transact(tx -> tx.tripBreaker(trip("reporter", "deletes", 5)));

        assertThat(store.<Optional<TrippedBreaker>>transact(tx -> tx.resetBreaker("Cleaner", "deletes")))
                .contains(trip("cleaner", "deletes", 21));
        assertThat(store.<Optional<TrippedBreaker>>transact(tx -> tx.resetBreaker("cleaner", "deletes")))
                .isEmpty();
        assertThat(trippedBreakers()).containsExactly(trip("reporter", "deletes", 5));
    }

    @Test
    public void aTripInWorkThatThrows_isNotKept() {
        assertThatThrownBy(() -> store.transact(tx -> {
                    tx.tripBreaker(trip("cleaner", "deletes", 21));
                    throw new IllegalStateException("boom");
                }))
                .hasMessage("boom");

        assertThat(trippedBreakers()).isEmpty();
    }

    @Test
    public void transact_afterClose_isRefused() {
        store.close();

        assertThatThrownBy(() -> store.transact(tx -> null))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        assertThatThrownBy(() -> store.find(RequestId.random())).isInstanceOf(IllegalStateException.class);
        store.close();
    }
}
