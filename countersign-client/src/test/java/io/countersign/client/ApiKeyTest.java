package io.countersign.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class ApiKeyTest {

    @Property
    void toString_isAlwaysStars(@ForAll @CharRange(from = '!', to = '~') @StringLength(min = 1, max = 64) String key) {
        assertThat(ApiKey.of(key)).hasToString("***");
        assertThat(ApiKey.of(key)).isEqualTo(ApiKey.of(key));
    }

    @Test
    void keyThatCantBeAHeader_isRefusedWithoutEchoingIt() {
        assertThatThrownBy(() -> ApiKey.of("secret\r\nX-Evil: 1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("api key has a character that is not visible ASCII at index 6");
        assertThatThrownBy(() -> ApiKey.of("  "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("api key is blank");
    }

    @Test
    void differentKeys_areNotEqual() {
        assertThat(ApiKey.of("cs_a")).isNotEqualTo(ApiKey.of("cs_b"));
    }
}
