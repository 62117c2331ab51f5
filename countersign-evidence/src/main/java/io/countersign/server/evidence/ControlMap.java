package io.countersign.server.evidence;

import java.util.List;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The SOC 2 (2017 Trust Services Criteria) criteria the package evidences, what of each it
 * supports, and which files show it. Countersign supports these controls for the actions of
 * agents; it is not the whole control.
 */
final class ControlMap {
    record Control(String id, String criterion, String supports, List<String> files) {}

    static final List<Control> CONTROLS = List.of(
            new Control(
                    "CC6.1",
                    "Logical access security over protected information assets",
                    "Every privileged action an agent attempts passes one policy checkpoint before it runs; each decision records its rule(s) "
                            + "and the policy version, and unknown actions are denied by default.",
                    List.of(
                            EvidenceFiles.POPULATION_CSV,
                            EvidenceFiles.POPULATION_JSONL,
                            EvidenceFiles.POLICIES_CSV,
                            EvidenceFiles.SUMMARY_HTML)),
            new Control(
                    "CC6.2",
                    "Registration and authorization of users before credentials are issued",
                    "Agents and humans are registered (and revoked or suspended) through audited events; agents act under their own "
                            + "credential and declare the human they act for, with the delegation's proof level.",
                    List.of(EvidenceFiles.IDENTITIES_CSV, EvidenceFiles.INVENTORY_CSV, EvidenceFiles.POPULATION_CSV)),
            new Control(
                    "CC6.3",
                    "Access based on roles, least privilege and separation of duties",
                    "Approvals come only from humans in the required groups, never from the requesting agent or the human it acts for; "
                            + "break-glass sets this aside only with a reason and a follow-up review by someone else; every vote the rule "
                            + "refused (the human acted for, a non-member, a second vote, a request no longer pending) is listed.",
                    List.of(
                            EvidenceFiles.SOD_CSV,
                            EvidenceFiles.REFUSED_VOTES_CSV,
                            EvidenceFiles.BREAK_GLASS_CSV,
                            EvidenceFiles.POPULATION_JSONL,
                            EvidenceFiles.SUMMARY_HTML)),
            new Control(
                    "CC7.2",
                    "Monitoring of system components for anomalies",
                    "Denials, expiries, break-glass approvals, failed executions and grants never reported used are listed as exceptions,"
                            + " with the time humans took "
                            + "to decide; every event sits in a tamper-evident log with signed checkpoints.",
                    List.of(
                            EvidenceFiles.EXCEPTIONS_CSV,
                            EvidenceFiles.TIMINGS_CSV,
                            EvidenceFiles.STATS_JSON,
                            EvidenceFiles.BREAK_GLASS_CSV,
                            EvidenceFiles.SUMMARY_HTML,
                            EvidencePackage.ENTRIES,
                            EvidencePackage.CHECKPOINT)),
            new Control(
                    "CC8.1",
                    "Changes are authorized, approved and implemented as approved",
                    "Changes agents make run only after the decision is recorded, with a single-use grant bound to the exact action "
                            + "approved; every policy version in force is recorded with when it was loaded, its full text, the diff of "
                            + "each change, and the change's approval trail or an exception when it was loaded from disk without one.",
                    List.of(
                            EvidenceFiles.POPULATION_CSV,
                            EvidenceFiles.POLICIES_CSV,
                            EvidenceFiles.POLICY_CHANGES_CSV,
                            EvidenceFiles.EXCEPTIONS_CSV,
                            EvidenceFiles.TIMINGS_CSV,
                            EvidencePackage.ENTRIES,
                            EvidencePackage.PROOFS)));

    private ControlMap() {}

    static ObjectNode json() {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("framework", "SOC 2, 2017 Trust Services Criteria (revised points of focus 2022)");
        root.put(
                "integrity",
                "every file is rebuilt from the cited audit entries by 'countersign audit verify --export', and every cited "
                        + "entry is proven to be in the log by an inclusion proof under the signed checkpoint");
        ArrayNode controls = root.putArray("controls");
        for (Control control : CONTROLS) {
            ObjectNode node = controls.addObject();
            node.put("id", control.id());
            node.put("criterion", control.criterion());
            node.put("supports", control.supports());
            ArrayNode files = node.putArray("files");
            control.files().forEach(files::add);
        }
        return root;
    }
}
