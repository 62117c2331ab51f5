package io.countersign.proxy.postgres;

import io.countersign.proxy.ProxyFixture;
import io.countersign.workflow.ApprovalRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** Waiting, up to 20 s, for what the proxy records after the client has its answer: audit entries and requests. */
final class ProxyWaits {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ProxyWaits() {}

    /** The newest audit entry of {@code type} that matches. */
    static JsonNode entry(ProxyFixture fixture, String type, Predicate<JsonNode> matching) throws InterruptedException {
        Instant until = Instant.now().plus(Duration.ofSeconds(20));
        while (Instant.now().isBefore(until)) {
            List<byte[]> leaves = fixture.store.auditLeaves(0, fixture.store.auditSize());
            for (byte[] leaf : leaves.reversed()) {
                JsonNode entry = JSON.readTree(leaf);
                if (entry.path("type").asString().equals(type) && matching.test(entry)) {
                    return entry;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no " + type + " entry matched within 20 s");
    }

    /** The newest request, as stored now, that matches. */
    static ApprovalRequest request(ProxyFixture fixture, Predicate<ApprovalRequest> matching)
            throws InterruptedException {
        Instant until = Instant.now().plus(Duration.ofSeconds(20));
        while (Instant.now().isBefore(until)) {
            for (ApprovalRequest change : fixture.changes().reversed()) {
                ApprovalRequest now = fixture.workflow.find(change.id()).orElseThrow();
                if (matching.test(now)) {
                    return now;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no request matched within 20 s");
    }
}
