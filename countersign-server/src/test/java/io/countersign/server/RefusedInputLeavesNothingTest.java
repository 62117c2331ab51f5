package io.countersign.server;

import static io.countersign.server.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.countersign.server.Http.Response;
import io.countersign.server.identity.IdentityConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Invariant 8 and issue 15, sections 2 and 3: bad text (a lone surrogate, U+0000) in any field of
 * any writing route, and a key sent twice, are a 400 problem naming the field, and leave every
 * table of the store and the audit log exactly as they were.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RefusedInputLeavesNothingTest {
    /** JSON text of a string holding a lone high surrogate, a lone low surrogate, and U+0000. */
    private static final List<String> BAD_TEXT = List.of("\"\\ud800\"", "\"ok\\udc00\"", "\"a\\u0000b\"");

    private TestGateway gateway;
    private String admin;
    private String alice;
    private String bob;
    private String agent;
    private String pending;
    private String allowed;
    private String grant;

    @BeforeAll
    void start(@TempDir Path directory) {
        gateway = new TestGateway(
                directory,
                IdentityConfig.localOnly().withRoles(Set.of("countersign-admins"), Set.of()),
                "/e2e-policy.yaml");
        admin = gateway.human("ada", "countersign-admins");
        alice = gateway.human("alice", "data-owners");
        bob = gateway.human("bob", "data-owners");
        agent = gateway.http
                .post("/v1/admin/agents", admin, json("name", "reporter", "labels", Map.of("team", "analytics")))
                .text("key");
        pending = gateway.http
                .post(
                        "/v1/actions",
                        agent,
                        json(
                                "action",
                                "db.export",
                                "resource",
                                "db/prod/customers",
                                "reason",
                                "report",
                                "onBehalfOf",
                                "alice"))
                .text("id");
        Response approved = gateway.http.post(
                "/v1/actions", agent, json("action", "db.query", "resource", "db/prod/customers", "reason", "read"));
        allowed = approved.text("id");
        grant = approved.json().path("grant").path("token").asString();
        assertThat(grant).startsWith("cgr_");
    }

    @AfterAll
    void stop() {
        gateway.close();
    }

    /** A writing route, who calls it, and a body template whose {@code BAD} is replaced by each bad string's JSON. */
    record Call(String field, String path, String who, String body) {
        @Override
        public String toString() {
            return path + " " + field;
        }
    }

    private String token(String who) {
        return switch (who) {
            case "admin" -> admin;
            case "alice" -> alice;
            case "bob" -> bob;
            default -> agent;
        };
    }

    Stream<Call> textFields() {
        String action = "\"action\":\"db.export\",\"resource\":\"db/prod/x\",\"reason\":\"r\"";
        return Stream.of(
                new Call(
                        "reason",
                        "/v1/actions",
                        "agent",
                        "{\"action\":\"db.export\",\"resource\":\"db/prod/x\",\"reason\":BAD}"),
                new Call("params.rows", "/v1/actions", "agent", "{" + action + ",\"params\":{\"rows\":BAD}}"),
                new Call(
                        "params.list[1]", "/v1/actions", "agent", "{" + action + ",\"params\":{\"list\":[\"x\",BAD]}}"),
                new Call("onBehalfOf", "/v1/actions", "agent", "{" + action + ",\"onBehalfOf\":BAD}"),
                new Call("idempotencyKey", "/v1/actions", "agent", "{" + action + ",\"idempotencyKey\":BAD}"),
                new Call(
                        "resource",
                        "/v1/actions",
                        "agent",
                        "{\"action\":\"db.export\",\"resource\":BAD,\"reason\":\"r\"}"),
                new Call("comment", "/v1/actions/PENDING/approve", "bob", "{\"comment\":BAD}"),
                new Call("comment", "/v1/actions/PENDING/deny", "bob", "{\"comment\":BAD}"),
                new Call("reason", "/v1/actions/PENDING/approve", "bob", "{\"breakGlass\":true,\"reason\":BAD}"),
                new Call(
                        "detail",
                        "/v1/actions/ALLOWED/execution",
                        "agent",
                        "{\"grant\":\"GRANT\",\"outcome\":\"succeeded\",\"detail\":BAD}"),
                new Call(
                        "action.params.x",
                        "/v1/actions/ALLOWED/execution",
                        "agent",
                        "{\"grant\":\"GRANT\",\"outcome\":\"succeeded\",\"action\":{\"action\":\"db.query\",\"resource\":\"db/prod/customers\",\"reason\":\"read\",\"params\":{\"x\":BAD}}}"),
                new Call(
                        "reason",
                        "/v1/decisions/simulate",
                        "agent",
                        "{" + action.replace("\"reason\":\"r\"", "\"reason\":BAD") + "}"),
                new Call("labels.team", "/v1/admin/agents", "admin", "{\"name\":\"second\",\"labels\":{\"team\":BAD}}"),
                new Call("scopes[0]", "/v1/admin/agents", "admin", "{\"name\":\"third\",\"scopes\":[BAD]}"),
                new Call("name", "/v1/admin/agents", "admin", "{\"name\":BAD}"),
                new Call("reason", "/v1/admin/agents/reporter/suspend", "admin", "{\"reason\":BAD}"),
                new Call("comment", "/v1/admin/breakers/reporter/deletes/reset", "admin", "{\"comment\":BAD}"),
                new Call(
                        "tool_input.command",
                        "/integrations/claude-code/pre-tool-use",
                        "agent",
                        "{\"hook_event_name\":\"PreToolUse\",\"tool_name\":\"Bash\",\"session_id\":\"s\",\"tool_input\":{\"command\":BAD}}"));
    }

    Stream<Arguments> badTextInEveryField() {
        return textFields().flatMap(call -> BAD_TEXT.stream().map(bad -> Arguments.of(call, bad)));
    }

    @ParameterizedTest(name = "{0} = {1}")
    @MethodSource("badTextInEveryField")
    void badTextIsA400NamingTheField_andLeavesTheStoreAndTheLogAsTheyWere(Call call, String bad) {
        String path = call.path().replace("PENDING", pending).replace("ALLOWED", allowed);
        String body = call.body().replace("GRANT", grant).replace("BAD", bad);
        Map<String, List<String>> before = StoreSnapshot.of(gateway.data());

        Response response = gateway.http.post(path, token(call.who()), body);

        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.text("detail")).contains("'" + call.field() + "'").contains("not valid text");
        assertThat(StoreSnapshot.of(gateway.data())).isEqualTo(before);
    }

    @Test
    void aLoneSurrogateInTheSuspensionReason_doesNotSuspend_andKeepsThePendingRequestPending() {
        Response response =
                gateway.http.post("/v1/admin/agents/reporter/suspend", admin, "{\"reason\":\"stop \\ud800\"}");

        assertThat(response.status()).isEqualTo(400);
        assertThat(gateway.http
                        .get("/v1/admin/agents/reporter", admin)
                        .json()
                        .path("suspended")
                        .isNull())
                .isTrue();
        assertThat(gateway.http.get("/v1/actions/" + pending, bob).text("status"))
                .isEqualTo("pending");
    }

    @Test
    void aLoneSurrogateInALabel_createsNoAgent() {
        Response response =
                gateway.http.post("/v1/admin/agents", admin, "{\"name\":\"ghost\",\"labels\":{\"team\":\"\\udfff\"}}");

        assertThat(response.status()).isEqualTo(400);
        assertThat(gateway.http.get("/v1/admin/agents/ghost", admin).status()).isEqualTo(404);
    }

    Stream<Call> duplicateKeys() {
        return Stream.of(
                new Call(
                        "action",
                        "/v1/actions",
                        "agent",
                        "{\"action\":\"db.export\",\"action\":\"db.query\",\"resource\":\"db/prod/x\",\"reason\":\"r\"}"),
                new Call(
                        "rows",
                        "/v1/actions",
                        "agent",
                        "{\"action\":\"db.query\",\"resource\":\"db/x\",\"reason\":\"r\",\"params\":{\"rows\":1,\"rows\":2}}"),
                new Call("comment", "/v1/actions/PENDING/approve", "bob", "{\"comment\":\"a\",\"comment\":\"b\"}"),
                new Call("comment", "/v1/actions/PENDING/deny", "bob", "{\"comment\":\"a\",\"comment\":\"b\"}"),
                new Call(
                        "outcome",
                        "/v1/actions/ALLOWED/execution",
                        "agent",
                        "{\"grant\":\"GRANT\",\"outcome\":\"failed\",\"outcome\":\"succeeded\"}"),
                new Call("name", "/v1/admin/agents", "admin", "{\"name\":\"x1\",\"name\":\"x2\"}"),
                new Call("reason", "/v1/admin/agents/reporter/suspend", "admin", "{\"reason\":\"a\",\"reason\":\"b\"}"),
                new Call(
                        "tool_name",
                        "/integrations/claude-code/pre-tool-use",
                        "agent",
                        "{\"hook_event_name\":\"PreToolUse\",\"tool_name\":\"Read\",\"tool_name\":\"Bash\",\"session_id\":\"s\",\"tool_input\":{}}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("duplicateKeys")
    void aKeySentTwiceIsA400NamingIt_andLeavesTheStoreAndTheLogAsTheyWere(Call call) {
        String path = call.path().replace("PENDING", pending).replace("ALLOWED", allowed);
        Map<String, List<String>> before = StoreSnapshot.of(gateway.data());

        Response response =
                gateway.http.post(path, token(call.who()), call.body().replace("GRANT", grant));

        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.text("detail")).contains("\"" + call.field() + "\"");
        assertThat(StoreSnapshot.of(gateway.data())).isEqualTo(before);
    }
}
