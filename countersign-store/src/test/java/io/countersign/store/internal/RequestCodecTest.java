package io.countersign.store.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.countersign.action.Action;
import io.countersign.canonical.CanonicalJson;
import io.countersign.store.Requests;
import io.countersign.workflow.ApprovalRequest;
import io.countersign.workflow.RequestId;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

class RequestCodecTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final RequestId FIXED_ID = new RequestId("req_0123456789abcdefghjkmnpqrs");

    private final RequestCodec codec = new RequestCodec();

    @Test
    void roundTrip_ofARequestWithVotesGrantAndExecution_givesAnEqualRequest() {
        ApprovalRequest request = Requests.executedWithEverything();

        assertThat(codec.read(codec.write(request))).isEqualTo(request);
    }

    @Test
    void roundTrip_keepsWhomOnBehalfOfResolvedTo_besideWhatWasSent() {
        ApprovalRequest request =
                Requests.pendingResolvedTo(new io.countersign.identity.Person("alice", "alice@example.com"));

        ApprovalRequest read = codec.read(codec.write(request));
        assertThat(read).isEqualTo(request);
        assertThat(read.action().onBehalfOf()).contains("alice@example.com");
        assertThat(codec.write(Requests.pending("bot")))
                .as("nothing written when it resolved to nobody")
                .doesNotContain("onBehalfOfPerson");
    }

    @Test
    void roundTrip_ofAFreshPendingRequest_givesAnEqualRequest() {
        ApprovalRequest request = Requests.pending("bot");

        assertThat(codec.read(codec.write(request))).isEqualTo(request);
    }

    @Test
    void roundTrip_keepsParams_withNestingUnicodeAndNumbers() {
        ObjectNode params = Requests.params("""
                {"nested": {"list": [1, [2, {"deep": null}], true, false], "empty": {}, "none": []},
                 "unicode": "Grüße 東京 🚀 \\u0000 \\"quoted\\" \\\\ tab\\t end",
                 "keys": {"é": 1, "🔑": 2, "": 3},
                 "ints": [0, -1, 2147483648, 9007199254740993, -9223372036854775808, 123456789012345678901234567890],
                 "doubles": [1.5, -0.0, 1e-7, 1.7976931348623157e308, 0.1, 100.0]}""");
        ApprovalRequest request = withParams(params);

        ApprovalRequest read = codec.read(codec.write(request));

        assertThat(read).isEqualTo(request);
        assertThat(read.action().params()).isEqualTo(params);
        assertThat(CanonicalJson.bytes(read.action().params())).isEqualTo(CanonicalJson.bytes(params));
        assertThat(read.action().digest()).isEqualTo(request.digest());
    }

    @Test
    void roundTrip_keepsParams_asDeepAsARequestBodyMayNestThem() {
        // The deepest body {"params": ...} Jackson's default limits parse: 500 nested objects.
        String deep = "{\"a\":".repeat(499) + "1" + "}".repeat(499);
        ObjectNode params =
                (ObjectNode) Requests.params("{\"params\":" + deep + "}").get("params");
        ApprovalRequest request = withParams(params);

        assertThat(codec.read(codec.write(request))).isEqualTo(request);
    }

    @Property(tries = 200)
    void roundTrip_keepsAnyParams_andTheirDigest(@ForAll("params") ObjectNode generated) {
        // As the server gets them: text parsed with Jackson's defaults.
        ObjectNode params = (ObjectNode) JSON.readTree(JSON.writeValueAsString(generated));
        ApprovalRequest request = withParams(params);

        ApprovalRequest read = codec.read(codec.write(request));

        assertThat(read.action().params()).isEqualTo(params);
        assertThat(read.action().digest()).isEqualTo(request.digest());
    }

    @Test
    void roundTrip_keepsWhereAnApprovalIsAnnounced_andWritesNothingWithoutIt() {
        ApprovalRequest pending = Requests.pending("bot");
        io.countersign.policy.Decision routed = new io.countersign.policy.Decision(
                pending.decision().effect(),
                pending.decision().rules(),
                pending.decision().reason(),
                pending.decision().policyVersion(),
                List.of(new io.countersign.policy.ApprovalRequirement(
                        "exports-need-a-data-owner",
                        Set.of("data-owners"),
                        1,
                        java.time.Duration.ofMinutes(30),
                        false,
                        Map.of("slack", "C0123"))));
        ApprovalRequest request = new ApprovalRequest(
                pending.id(),
                pending.agent(),
                pending.action(),
                pending.digest(),
                routed,
                pending.status(),
                pending.votes(),
                pending.createdAt(),
                pending.expiresAt(),
                pending.decidedAt(),
                pending.decidedBy(),
                pending.idempotencyKey(),
                pending.grant(),
                pending.execution());

        ApprovalRequest read = codec.read(codec.write(request));

        assertThat(read).isEqualTo(request);
        assertThat(read.decision().approvals().getFirst().notifyTo()).containsExactly(Map.entry("slack", "C0123"));
        assertThat(codec.write(pending)).doesNotContain("notify");
    }

    @Test
    void roundTrip_keepsDirectMessagesEscalationAndWhichRulesEscalated_andWritesNothingWithoutThem() {
        ApprovalRequest pending = Requests.pending("bot");
        io.countersign.policy.ApprovalRequirement requirement = new io.countersign.policy.ApprovalRequirement(
                "exports-need-a-data-owner",
                Set.of("data-owners"),
                1,
                java.time.Duration.ofMinutes(30),
                false,
                Map.of(),
                Set.of("slack"),
                java.util.Optional.of(new io.countersign.policy.Escalation(
                        java.time.Duration.ofMinutes(15), Set.of("security-leads"), Map.of("slack", "C0ESC"))));
        io.countersign.policy.Decision decision = new io.countersign.policy.Decision(
                pending.decision().effect(),
                pending.decision().rules(),
                pending.decision().reason(),
                pending.decision().policyVersion(),
                List.of(requirement));
        ApprovalRequest request = new ApprovalRequest(
                pending.id(),
                pending.agent(),
                pending.action(),
                pending.digest(),
                decision,
                pending.status(),
                pending.votes(),
                pending.createdAt(),
                pending.expiresAt(),
                pending.decidedAt(),
                pending.decidedBy(),
                pending.idempotencyKey(),
                pending.grant(),
                pending.execution(),
                pending.delegation(),
                pending.resolution(),
                pending.breakGlass(),
                pending.resolvedOnBehalfOf(),
                Set.of("exports-need-a-data-owner"));

        ApprovalRequest read = codec.read(codec.write(request));

        assertThat(read).isEqualTo(request);
        assertThat(read.groupsFor(read.decision().approvals().getFirst()))
                .containsExactlyInAnyOrder("data-owners", "security-leads");
        assertThat(codec.write(pending)).doesNotContain("escalate").doesNotContain("directTo");
    }

    @Test
    void write_isTheFormat1Document() throws IOException {
        assertThat(JSON.readTree(codec.write(fixedRequest())))
                .isEqualTo(JSON.readTree(resource("request-document-format-1.json")));
    }

    @Test
    void read_ofAStoredFormat1Document_givesTheRequest() throws IOException {
        assertThat(codec.read(resource("request-document-format-1.json"))).isEqualTo(fixedRequest());
    }

    @Test
    void write_ofEqualRequests_givesEqualDocuments() {
        ApprovalRequest request = fixedRequest();

        assertThat(codec.write(request)).isEqualTo(codec.write(codec.read(codec.write(request))));
    }

    @Test
    void read_ofAnUnknownFormat_isRefused() {
        ObjectNode document = (ObjectNode) JSON.readTree(codec.write(fixedRequest()));
        document.put("format", 2);

        assertThatThrownBy(() -> codec.read(document.toString()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("document format is 2, this version reads format 1");
    }

    @Test
    void read_ofAnUnknownStatus_namesIt() {
        ObjectNode document = (ObjectNode) JSON.readTree(codec.write(fixedRequest()));
        document.put("status", "approvedish");

        assertThatThrownBy(() -> codec.read(document.toString()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown status 'approvedish'");
    }

    @Test
    void read_ofAMissingField_isRefused() {
        ObjectNode document = (ObjectNode) JSON.readTree(codec.write(fixedRequest()));
        document.remove("digest");

        assertThatThrownBy(() -> codec.read(document.toString()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("digest");
    }

    @Test
    void read_ofAnInvalidActionName_isRefusedByTheAction() {
        ObjectNode document = (ObjectNode) JSON.readTree(codec.write(fixedRequest()));
        ((ObjectNode) document.get("action")).put("action", "db export; drop");

        assertThatThrownBy(() -> codec.read(document.toString()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not a dotted name");
    }

    @Test
    void read_ofNonJson_isRefused() {
        assertThatThrownBy(() -> codec.read("{\"format\": 1, "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("request document is malformed");
    }

    @Test
    void labelsAndNames_roundTripSorted() {
        assertThat(codec.writeLabels(Map.of("z", "1", "a", "2"))).isEqualTo("{\"a\":\"2\",\"z\":\"1\"}");
        assertThat(codec.readLabels("{\"a\":\"2\",\"z\":\"1\"}"))
                .containsExactly(Map.entry("a", "2"), Map.entry("z", "1"));
        assertThat(codec.writeNames(Set.of("ops", "dba"))).isEqualTo("[\"dba\",\"ops\"]");
        assertThat(codec.readNames("[\"dba\",\"ops\"]")).containsExactly("dba", "ops");
    }

    @Provide
    Arbitrary<ObjectNode> params() {
        return objects(3);
    }

    private static Arbitrary<ObjectNode> objects(int depth) {
        return Arbitraries.maps(keys(), values(depth)).ofMaxSize(5).map(members -> {
            ObjectNode node = JsonNodeFactory.instance.objectNode();
            members.forEach(node::set);
            return node;
        });
    }

    private static Arbitrary<JsonNode> values(int depth) {
        Arbitrary<JsonNode> leaves = Arbitraries.oneOf(
                texts().map(JsonNodeFactory.instance::stringNode),
                Arbitraries.longs().map(JsonNodeFactory.instance::numberNode),
                Arbitraries.bigIntegers()
                        .between(BigInteger.TEN.pow(19), BigInteger.TEN.pow(30))
                        .map(JsonNodeFactory.instance::numberNode),
                Arbitraries.doubles().between(-1e300, 1e300).map(JsonNodeFactory.instance::numberNode),
                Arbitraries.of(true, false).map(JsonNodeFactory.instance::booleanNode),
                Arbitraries.just(JsonNodeFactory.instance.nullNode()));
        if (depth == 0) {
            return leaves;
        }
        Arbitrary<JsonNode> arrays = values(depth - 1).list().ofMaxSize(4).map(items -> {
            ArrayNode array = JsonNodeFactory.instance.arrayNode();
            items.forEach(array::add);
            return array;
        });
        return Arbitraries.frequencyOf(
                Tuple.of(4, leaves),
                Tuple.of(1, arrays),
                Tuple.of(1, objects(depth - 1).map(JsonNode.class::cast)));
    }

    private static Arbitrary<String> keys() {
        return texts();
    }

    /** Letters, escapes, accented and CJK characters and emoji: whole code points, never a lone surrogate. */
    private static Arbitrary<String> texts() {
        return Arbitraries.of(
                        "a", "b", "Z", "0", " ", "\"", "\\", "/", "\n", "\t", "\u0000", "\u001f", "\u007f", "é", "ü",
                        "東", "京", "🚀", "🔑")
                .list()
                .ofMaxSize(8)
                .map(parts -> String.join("", parts));
    }

    private static ApprovalRequest withParams(ObjectNode params) {
        ApprovalRequest base = Requests.pending("bot");
        Action action =
                new Action("tool.call", "mcp/github/create_issue", params, "filing the bug it found", Optional.empty());
        return new ApprovalRequest(
                base.id(),
                base.agent(),
                action,
                action.digest(),
                base.decision(),
                base.status(),
                List.of(),
                base.createdAt(),
                base.expiresAt(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty());
    }

    /** {@link Requests#executedWithEverything()} under a fixed id, as stored in the format 1 test vector. */
    private static ApprovalRequest fixedRequest() {
        ApprovalRequest r = Requests.executedWithEverything();
        return new ApprovalRequest(
                FIXED_ID,
                r.agent(),
                r.action(),
                r.digest(),
                r.decision(),
                r.status(),
                r.votes(),
                r.createdAt(),
                r.expiresAt(),
                r.decidedAt(),
                r.decidedBy(),
                r.idempotencyKey(),
                r.grant(),
                r.execution());
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = RequestCodecTest.class.getResourceAsStream(name)) {
            assertThat(in).as("test vector %s", name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
