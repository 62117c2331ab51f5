package io.countersign.tlog.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class EncodingTest {

    @ParameterizedTest
    @CsvSource({"0,0", "7,7", "10,10", "9223372036854775807,9223372036854775807"})
    void decimal_inItsOnlySpelling_parses(String text, long value) {
        assertThat(Encoding.parseDecimalOrMinusOne(text)).isEqualTo(value);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "00",
                "01",
                "-1",
                "+1",
                " 1",
                "1 ",
                "1e3",
                "0x1",
                "9223372036854775808",
                "99999999999999999999"
            })
    void decimal_inAnyOtherSpelling_isRefused(String text) {
        assertThat(Encoding.parseDecimalOrMinusOne(text)).isEqualTo(-1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"AQID", "AQI=", "AQ==", ""})
    void base64_canonical_decodes(String text) {
        assertThat(Encoding.decodeBase64OrNull(text)).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"AQI", "AQ", "AR==", "AQJ=", "AQ-_", "AQ\nID", " AQID", "A==="})
    void base64_nonCanonicalOrInvalid_isRefused(String text) {
        assertThat(Encoding.decodeBase64OrNull(text)).isNull();
    }
}
