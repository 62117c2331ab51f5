package io.countersign.server.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.json.JsonMapper;

/** Each message an agent may send, and what the gateway does with it before the SDK sees it. */
final class JsonRpcIntakeTest {
    private final JsonRpcIntake intake = new JsonRpcIntake(JsonMapper.builder().build());

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "this is not json | -32700 | null",
                "'' | -32700 | null",
                "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}] | -32600 | null",
                "42 | -32600 | null",
                "{\"id\":1,\"method\":\"tools/list\"} | -32600 | 1",
                "{\"jsonrpc\":\"2.0\",\"id\":2} | -32600 | 2",
                "{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"tools/list\"} | -32600 | null",
                "{\"jsonrpc\":\"2.0\",\"id\":true,\"method\":\"tools/list\"} | -32600 | null",
                "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":7} | -32600 | 3",
                "{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"tools/list\",\"params\":[1]} | -32602 | a",
                "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\",\"params\":{\"arguments\":{}}} | -32602 | 4",
                "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":\"x\"}} | -32602 | 5",
            })
    void aBadMessage_isAnsweredWithTheErrorTheSpecNames(String message, int code, String id) {
        JsonRpcIntake.Verdict verdict = intake.check(message, requestId -> "token");

        assertThat(verdict).isInstanceOf(JsonRpcIntake.Reject.class);
        JsonRpcIntake.Reject reject = (JsonRpcIntake.Reject) verdict;
        assertThat(reject.error().path("error").path("code").asInt()).isEqualTo(code);
        assertThat(
                        reject.error().path("id").isNull()
                                ? "null"
                                : reject.error().path("id").asString())
                .isEqualTo(id);
    }

    @Test
    void aToolsCall_isTaggedWithItsCallsToken_replacingOneTheAgentSent() {
        JsonRpcIntake.Verdict verdict = intake.check(
                "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\","
                        + "\"arguments\":{\"message\":\"hi\"},\"_meta\":{\"progressToken\":1,\"io.countersign/call\":\"forged\"}}}",
                requestId -> "t-" + requestId);

        JsonRpcIntake.Pass pass = (JsonRpcIntake.Pass) verdict;
        assertThat(pass.call()).contains(new JsonRpcIntake.TaggedCall("7", "t-7"));
        assertThat(pass.message())
                .contains("\"io.countersign/call\":\"t-7\"")
                .contains("\"progressToken\":1")
                .doesNotContain("forged");
    }

    @Test
    void notificationsCancelled_namesTheRequestAndTheReason_andNeverReachesTheSdk() {
        JsonRpcIntake.Verdict verdict = intake.check(
                "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":7,"
                        + "\"reason\":\"Request timed out\"}}",
                requestId -> "token");

        assertThat(verdict).isEqualTo(new JsonRpcIntake.Cancel("7", "Request timed out"));
    }

    @Test
    void responsesAndOtherMessages_passUnchanged() {
        String response = "{\"jsonrpc\":\"2.0\",\"id\":\"elicit-1\",\"result\":{\"action\":\"accept\"}}";
        String list = "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"tools/list\"}";

        assertThat(intake.check(response, id -> "token"))
                .isEqualTo(new JsonRpcIntake.Pass(response, java.util.Optional.empty()));
        assertThat(intake.check(list, id -> "token"))
                .isEqualTo(new JsonRpcIntake.Pass(list, java.util.Optional.empty()));
    }

    @Test
    void aMalformedNotification_isDropped_forANotificationIsNeverAnswered() {
        assertThat(intake.check(
                        "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{}}", id -> "token"))
                .isInstanceOf(JsonRpcIntake.Drop.class);
    }
}
