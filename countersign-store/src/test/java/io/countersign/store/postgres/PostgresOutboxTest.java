package io.countersign.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.outbox.Delivery;
import io.countersign.outbox.NotificationType;
import io.countersign.store.GatewayStore;
import io.countersign.store.OutboxContractTest;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class PostgresOutboxTest extends OutboxContractTest {

    @Override
    protected GatewayStore newStore(Path dir) {
        return PostgresStore.open(TestPostgres.settingsFor(dir));
    }

    @Test
    void twoNodesClaimingAtOnce_getEachDeliveryExactlyOnce() throws Exception {
        Instant now = Instant.parse("2026-11-24T10:00:00Z");
        for (int i = 0; i < 200; i++) {
            enqueue(event("webhook:ops", NotificationType.REQUEST_CREATED, "r" + i, now));
        }
        try (GatewayStore other = PostgresStore.open(TestPostgres.settingsFor(dir))) {
            List<CompletableFuture<List<Long>>> nodes = new ArrayList<>();
            for (GatewayStore node : List.of(store, other)) {
                nodes.add(CompletableFuture.supplyAsync(() -> {
                    List<Long> mine = new ArrayList<>();
                    List<Delivery> batch;
                    while (!(batch = node.outbox().claim(now, 7, Duration.ofMinutes(1))).isEmpty()) {
                        batch.forEach(delivery -> mine.add(delivery.id()));
                    }
                    return mine;
                }));
            }
            List<Long> all = new ArrayList<>(nodes.get(0).get());
            all.addAll(nodes.get(1).get());
            Set<Long> distinct = new HashSet<>(all);

            assertThat(all).hasSize(200);
            assertThat(distinct).hasSize(200);
        }
    }
}
