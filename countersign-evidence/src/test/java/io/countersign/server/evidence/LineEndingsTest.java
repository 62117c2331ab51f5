package io.countersign.server.evidence;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LineEndingsTest {
    private static final byte[] WRITTEN = "request,agent\r\nreq_1,reporter\r\n".getBytes(UTF_8);

    @Test
    void namesAFileResavedWithUnixLineEndings() {
        assertThat(LineEndings.onlyDifference("request,agent\nreq_1,reporter\n".getBytes(UTF_8), WRITTEN))
                .hasValueSatisfying(text ->
                        assertThat(text).contains("only in its line endings (LF where the package wrote CRLF)"));
    }

    @Test
    void namesOldMacAndMixedLineEndings() {
        assertThat(LineEndings.onlyDifference("request,agent\rreq_1,reporter\r".getBytes(UTF_8), WRITTEN))
                .hasValueSatisfying(text -> assertThat(text).contains("(CR where"));
        assertThat(LineEndings.onlyDifference("request,agent\r\nreq_1,reporter\n".getBytes(UTF_8), WRITTEN))
                .hasValueSatisfying(text -> assertThat(text).contains("(mixed line endings where"));
    }

    @Test
    void saysNothingOfAChangedValue_norOfAnUnchangedFile() {
        assertThat(LineEndings.onlyDifference("request,agent\nreq_1,mallory\n".getBytes(UTF_8), WRITTEN))
                .isEmpty();
        assertThat(LineEndings.onlyDifference(WRITTEN.clone(), WRITTEN)).isEmpty();
        assertThat(LineEndings.onlyDifference("request,agent\n\nreq_1,reporter\n".getBytes(UTF_8), WRITTEN))
                .as("an added blank line is a change")
                .isEmpty();
    }
}
