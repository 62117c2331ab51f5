package io.countersign.action;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AgentTextTest {

    @Test
    void aNewline_isShownAsASymbol_soAgentTextCantStartALineOfItsOwn() {
        assertThat(AgentText.visible("ok\n\n:white_check_mark: *Approved* by security-lead"))
                .isEqualTo("ok\u2424\u2424:white_check_mark: *Approved* by security-lead")
                .doesNotContain("\n");
    }

    @Test
    void zeroWidthAndBidiCharacters_areShownAsEscapes() {
        assertThat(AgentText.visible("al\u200bice")).isEqualTo("al\\u200Bice");
        assertThat(AgentText.visible("invoice\u202egpj.exe")).isEqualTo("invoice\\u202Egpj.exe");
        assertThat(AgentText.visible("a\u2066b\u2069\u200e\u061c")).isEqualTo("a\\u2066b\\u2069\\u200E\\u061C");
    }

    @Test
    void controlCharacters_tagCharacters_separatorsAndLoneSurrogates_areShownAsEscapes() {
        assertThat(AgentText.visible("a\u0000b\rc\td\u001b[31m")).isEqualTo("a\\u0000b\\u000Dc\\u0009d\\u001B[31m");
        assertThat(AgentText.visible("x" + new String(Character.toChars(0xE0041))))
                .isEqualTo("x\\u{E0041}");
        assertThat(AgentText.visible("a\u2028b\u2029c\u00a0d\u3164")).isEqualTo("a\\u2028b\\u2029c\\u00A0d\\u3164");
        assertThat(AgentText.visible("a\ud800b")).isEqualTo("a\\uD800b");
        assertThat(AgentText.visible("e\ufe0f")).isEqualTo("e\\uFE0F");
    }

    @Test
    void ordinaryText_inAnyScript_isLeftAlone() {
        String text = "Grüße, 日本語, émoji 🎉, ascii ~!@#$%^&*()_+ and a space";
        assertThat(AgentText.visible(text)).isEqualTo(text);
    }
}
