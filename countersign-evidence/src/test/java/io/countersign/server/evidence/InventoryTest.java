package io.countersign.server.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.audit.AuditEventType;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class InventoryTest {
    private static final EvidencePeriod OCTOBER = EvidencePeriod.parse("2026-10-01", "2026-11-01");
    private static final Instant BEFORE = OCTOBER.from().minus(Duration.ofDays(10));
    private static final Instant DURING = OCTOBER.from().plus(Duration.ofDays(3));

    @Test
    void listsEveryAgentAndHumanAtTheStartAndTheEnd_withStatusGroupsRolesAndLabels() {
        History history = new History()
                .append(AuditEventType.AGENT_CREATED, BEFORE, "human:ada", null, d -> d.put("agent", "reporter")
                        .putObject("labels")
                        .put("team", "analytics"))
                .append(AuditEventType.HUMAN_CREATED, BEFORE, "human:ada", null, d -> {
                    d.put("human", "bob").put("email", "bob@example.com");
                    d.putArray("groups").add("data-owners");
                    d.putArray("roles");
                })
                .append(AuditEventType.AGENT_CREATED, BEFORE.plusSeconds(1), "human:ada", null, d -> d.put(
                                "agent", "old-bot")
                        .putObject("labels"))
                .append(
                        AuditEventType.AGENT_REVOKED,
                        BEFORE.plusSeconds(2),
                        "human:ada",
                        null,
                        d -> d.put("agent", "old-bot"))
                .append(AuditEventType.HUMAN_GROUPS_CHANGED, DURING, "human:ada", null, d -> {
                    d.put("human", "bob");
                    d.putArray("groups").add("data-owners").add("sre");
                    d.putArray("roles").add("auditor");
                })
                .append(AuditEventType.AGENT_SUSPENDED, DURING, "human:ada", null, d -> d.put("agent", "reporter"))
                .append(AuditEventType.HUMAN_CREATED, DURING, "human:ada", null, d -> {
                    d.put("human", "cy").put("email", "cy@example.com");
                    d.putArray("groups");
                    d.putArray("roles").add("admin");
                })
                .append(
                        AuditEventType.HUMAN_REVOKED,
                        OCTOBER.to().plusSeconds(5),
                        "human:ada",
                        null,
                        d -> d.put("human", "cy"));

        List<Inventory.Row> rows =
                EvidenceAnalysis.of(history.events(), OCTOBER).inventory();

        assertThat(rows)
                .extracting(r -> r.asOf() + " " + r.kind() + " " + r.name() + " " + r.status() + " " + r.groups() + " "
                        + r.roles() + " " + r.labels())
                .containsExactly(
                        "start agent old-bot revoked [] [] ",
                        "start agent reporter active [] [] team=analytics",
                        "start human bob active [data-owners] [] ",
                        "end agent old-bot revoked [] [] ",
                        "end agent reporter suspended [] [] team=analytics",
                        "end human bob active [data-owners, sre] [auditor] ",
                        "end human cy active [] [admin] ");
        assertThat(rows).filteredOn(r -> r.asOf().equals("end")).allSatisfy(r -> assertThat(r.at())
                .isEqualTo(OCTOBER.to()));
        assertThat(new String(
                        EvidenceFiles.write(
                                        EvidenceAnalysis.of(history.events(), OCTOBER),
                                        new LogHead("o", 1, "r", "k", 0, 1, 1))
                                .get(EvidenceFiles.INVENTORY_CSV),
                        java.nio.charset.StandardCharsets.UTF_8))
                .startsWith("as_of,at,kind,name,status,groups,roles,labels,last_change_seq\r\n")
                .contains("end,2026-11-01T00:00:00Z,human,bob,active,data-owners;sre,auditor,,4\r\n");
    }
}
