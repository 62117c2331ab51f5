package io.countersign.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.node.ObjectNode;

class ActionRequestTest {

    @Test
    void of_startsWithNoParamsNoReasonNoHumanNoKey() {
        ActionRequest request = ActionRequest.of("db.export", "db/prod/customers");

        assertThat(request.params().isEmpty()).isTrue();
        assertThat(request.reason()).isEmpty();
        assertThat(request.onBehalfOf()).isEmpty();
        assertThat(request.idempotencyKey()).isEmpty();
    }

    @Test
    void param_convertsListsMapsAndRecordsToJson() {
        record Window(String from, String to) {}

        ActionRequest request = ActionRequest.of("db.export", "db/prod/customers")
                .param("columns", List.of("id", "email"))
                .param("filter", Map.of("country", "NL"))
                .param("window", new Window("2025-01-01", "2025-02-01"));

        assertThat(request.params().toString())
                .isEqualTo(
                        "{\"columns\":[\"id\",\"email\"],\"filter\":{\"country\":\"NL\"},\"window\":{\"from\":\"2025-01-01\",\"to\":\"2025-02-01\"}}");
    }

    @Test
    void withers_leaveTheOriginalUntouched() {
        ActionRequest original = ActionRequest.of("db.export", "db/prod/customers");

        original.param("rows", 10).reason("why").onBehalfOf("alice").idempotencyKey("k");

        assertThat(original).isEqualTo(ActionRequest.of("db.export", "db/prod/customers"));
    }

    @Test
    void params_areCopiedInAndOut() {
        ObjectNode params = WireFormat.MAPPER.createObjectNode().put("rows", 10);
        ActionRequest request =
                ActionRequest.of("db.export", "db/prod/customers").params(params);

        params.put("rows", 1_000_000);
        request.params().put("rows", 1_000_000);

        assertThat(request.params().get("rows").intValue()).isEqualTo(10);
    }

    @Test
    void blankNames_areRefused() {
        assertThatThrownBy(() -> ActionRequest.of(" ", "db/prod"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("action is blank");
        assertThatThrownBy(() -> ActionRequest.of("db.export", ""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("resource is blank");
        assertThatThrownBy(() -> ActionRequest.of("db.export", "db/prod").param("rows", null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("value of param 'rows' is null");
    }

    @Property
    void paramsMap_survivesTheWireUnchanged(
            @ForAll Map<@AlphaChars @StringLength(min = 1, max = 8) String, @StringLength(max = 20) String> strings,
            @ForAll Map<@AlphaChars @StringLength(min = 1, max = 8) String, Integer> numbers) {
        Map<String, Object> params = new LinkedHashMap<>(strings);
        numbers.forEach((name, value) -> params.put(name + "_n", value));
        ActionRequest request = ActionRequest.of("db.export", "db/prod/customers")
                .params(params)
                .reason("r");

        ObjectNode wire = (ObjectNode)
                WireFormat.MAPPER.readTree(WireFormat.MAPPER.writeValueAsBytes(WireFormat.actionBody(request, true)));

        assertThat(wire.get("params")).isEqualTo(request.params());
        assertThat(WireFormat.MAPPER.convertValue(wire.get("params"), new TypeReference<Map<String, Object>>() {}))
                .isEqualTo(params);
    }
}
