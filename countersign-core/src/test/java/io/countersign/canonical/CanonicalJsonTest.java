package io.countersign.canonical;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.json.JsonMapper;

class CanonicalJsonTest {
    private final JsonMapper mapper = JsonMapper.builder().build();

    private String canonical(String json) {
        return new String(CanonicalJson.bytes(mapper.readTree(json)), StandardCharsets.UTF_8);
    }

    @Test
    void sortsMembersByUtf16CodeUnits_rfc8785Section3_2_3() {
        // The sorting example of RFC 8785 section 3.2.3.
        String input =
                "{\"\\u20ac\":\"Euro Sign\",\"\\r\":\"Carriage Return\",\"\\ufb33\":\"Hebrew Letter Dalet With Dagesh\","
                        + "\"1\":\"One\",\"\\ud83d\\ude00\":\"Emoji: Grinning Face\",\"\\u0080\":\"Control\",\"\\u00f6\":\"Latin Small Letter O With Diaeresis\"}";
        String expected =
                "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u0080\":\"Control\",\"\u00f6\":\"Latin Small Letter O With Diaeresis\","
                        + "\"\u20ac\":\"Euro Sign\",\"\ud83d\ude00\":\"Emoji: Grinning Face\",\"\ufb33\":\"Hebrew Letter Dalet With Dagesh\"}";
        assertThat(canonical(input)).isEqualTo(expected);
    }

    @Test
    void removesWhitespace_andEscapesLikeJsonStringify() {
        assertThat(canonical("{ \"b\" : [ 1 , true , null ], \"a\" : \"x\\u0001\\\"\\\\\\n/\\u2028\" }"))
                .isEqualTo("{\"a\":\"x\\u0001\\\"\\\\\\n/\u2028\",\"b\":[1,true,null]}");
    }

    @ParameterizedTest
    @CsvSource({
        // From RFC 8785 appendix B (IEEE 754 bit patterns and their ECMAScript serialisation).
        "0x0000000000000000, 0",
        "0x8000000000000000, 0",
        "0x0000000000000001, 5e-324",
        "0x8000000000000001, -5e-324",
        "0x7fefffffffffffff, 1.7976931348623157e+308",
        "0xffefffffffffffff, -1.7976931348623157e+308",
        "0x4340000000000000, 9007199254740992",
        "0xc340000000000000, -9007199254740992",
        "0x4430000000000000, 295147905179352830000",
        "0x44b52d02c7e14af5, 9.999999999999997e+22",
        "0x44b52d02c7e14af6, 1e+23",
        "0x44b52d02c7e14af7, 1.0000000000000001e+23",
        "0x444b1ae4d6e2ef4e, 999999999999999700000",
        "0x444b1ae4d6e2ef4f, 999999999999999900000",
        "0x444b1ae4d6e2ef50, 1e+21",
        "0x3eb0c6f7a0b5ed8c, 9.999999999999997e-7",
        "0x3eb0c6f7a0b5ed8d, 0.000001",
        "0x41b3de4355555553, 333333333.3333332",
        "0x41b3de4355555554, 333333333.33333325",
        "0x41b3de4355555555, 333333333.3333333",
        "0x41b3de4355555556, 333333333.3333334",
        "0x41b3de4355555557, 333333333.33333343",
        "0xbecbf647612f3696, -0.0000033333333333333333",
        "0x43143ff3c1cb0959, 1424953923781206.2",
    })
    void formatsNumbersLikeEcmaScript_rfc8785AppendixB(String bits, String expected) {
        double value = Double.longBitsToDouble(Long.parseUnsignedLong(bits.substring(2), 16));
        assertThat(CanonicalJson.number(value)).isEqualTo(expected);
    }

    @Test
    void integersStayIntegers() {
        assertThat(canonical("{\"n\":1000,\"f\":1.50,\"e\":1E3}")).isEqualTo("{\"e\":1000,\"f\":1.5,\"n\":1000}");
    }

    @Test
    void refusesNonFiniteNumbers() {
        assertThatThrownBy(() -> CanonicalJson.number(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CanonicalJson.number(Double.POSITIVE_INFINITY))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
