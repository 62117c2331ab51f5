package io.countersign.tlog.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CheckpointTest {
    private static final String ROOT = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=";

    @Test
    void specExample_parsesToOriginSizeAndRoot() throws MalformedCheckpointException {
        Checkpoint checkpoint = Checkpoint.parse("example.com/behind-the-sofa\n20852163\n" + ROOT + "\n");

        assertThat(checkpoint.origin()).isEqualTo("example.com/behind-the-sofa");
        assertThat(checkpoint.size()).isEqualTo(20852163);
        assertThat(checkpoint.rootHash()).isEqualTo(Base64.getDecoder().decode(ROOT));
        assertThat(checkpoint.extensions()).isEmpty();
    }

    @Test
    void extensionLines_areKept_andFormatRoundTrips() throws MalformedCheckpointException {
        String text = "log.example\n0\n" + ROOT + "\nfirst extension\nsecond\n";
        Checkpoint checkpoint = Checkpoint.parse(text);

        assertThat(checkpoint.extensions()).containsExactly("first extension", "second");
        assertThat(checkpoint.format()).isEqualTo(text);
    }

    @Test
    void format_isOriginSizeBase64RootEachOnALine() {
        Checkpoint checkpoint =
                new Checkpoint("log.example", 42, Base64.getDecoder().decode(ROOT));
        assertThat(checkpoint.format()).isEqualTo("log.example\n42\n" + ROOT + "\n");
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("no final newline", "log\n1\n" + ROOT, "checkpoint must end with a newline"),
                Arguments.of("two lines", "log\n1\n", "checkpoint has 2 lines, want at least 3"),
                Arguments.of(
                        "empty origin", "\n1\n" + ROOT + "\n", "checkpoint line 1 is empty or has control characters"),
                Arguments.of(
                        "leading zero",
                        "log\n01\n" + ROOT + "\n",
                        "checkpoint tree size '01' is not a decimal without leading zeros"),
                Arguments.of(
                        "plus sign",
                        "log\n+1\n" + ROOT + "\n",
                        "checkpoint tree size '+1' is not a decimal without leading zeros"),
                Arguments.of(
                        "negative",
                        "log\n-1\n" + ROOT + "\n",
                        "checkpoint tree size '-1' is not a decimal without leading zeros"),
                Arguments.of(
                        "beyond a long",
                        "log\n9223372036854775808\n" + ROOT + "\n",
                        "checkpoint tree size '9223372036854775808' is not a decimal without leading zeros"),
                Arguments.of(
                        "hex size",
                        "log\n0x10\n" + ROOT + "\n",
                        "checkpoint tree size '0x10' is not a decimal without leading zeros"),
                Arguments.of(
                        "root too short", "log\n1\nAAAA\n", "checkpoint root hash 'AAAA' is not base64 of 32 bytes"),
                Arguments.of(
                        "root without padding",
                        "log\n1\n" + ROOT.replace("=", "") + "\n",
                        "checkpoint root hash '" + ROOT.replace("=", "") + "' is not base64 of 32 bytes"),
                Arguments.of(
                        "root in url-safe base64",
                        "log\n1\n" + ROOT.replace('/', '_') + "\n",
                        "checkpoint root hash '" + ROOT.replace('/', '_') + "' is not base64 of 32 bytes"),
                Arguments.of(
                        "empty extension line",
                        "log\n1\n" + ROOT + "\n\next\n",
                        "checkpoint line 4 is empty or has control characters"),
                Arguments.of(
                        "trailing space in size",
                        "log\n1 \n" + ROOT + "\n",
                        "checkpoint tree size '1 ' is not a decimal without leading zeros"),
                Arguments.of(
                        "carriage return",
                        "log\r\n1\n" + ROOT + "\n",
                        "checkpoint line 1 is empty or has control characters"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void malformedCheckpoint_isRefused_namingTheProblem(String description, String text, String message) {
        assertThatThrownBy(() -> Checkpoint.parse(text))
                .isInstanceOf(MalformedCheckpointException.class)
                .hasMessage(message);
    }

    @Test
    void rootHashOfTheWrongLength_cannotBeBuilt() {
        assertThatThrownBy(() -> new Checkpoint("log", 1, new byte[31])).hasMessage("root hash has 31 bytes, want 32");
    }

    @Test
    void checkpointsWithTheSameContent_areEqual() throws MalformedCheckpointException {
        String text = "log\n7\n" + ROOT + "\n";
        assertThat(Checkpoint.parse(text)).isEqualTo(Checkpoint.parse(text));
        assertThat(Checkpoint.parse(text))
                .isNotEqualTo(new Checkpoint("log", 8, Base64.getDecoder().decode(ROOT), List.of()));
    }
}
