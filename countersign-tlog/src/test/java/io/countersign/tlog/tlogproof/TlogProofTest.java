package io.countersign.tlog.tlogproof;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.countersign.tlog.checkpoint.Checkpoint;
import io.countersign.tlog.checkpoint.SignedCheckpoint;
import io.countersign.tlog.note.NoteSigner;
import io.countersign.tlog.proof.InclusionProof;
import io.countersign.tlog.proof.ProofBuilder;
import io.countersign.tlog.tree.InMemoryHashStore;
import java.util.Base64;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TlogProofTest {
    static final NoteSigner LOG = NoteSigner.generate("countersign.example/audit");

    /** A log of {@code size} entries "entry-0", "entry-1"... and its signed checkpoint. */
    static TlogProof proofFor(int index, int size) {
        InMemoryHashStore store = new InMemoryHashStore();
        for (int i = 0; i < size; i++) {
            store.appendEntry(entry(i));
        }
        SignedCheckpoint checkpoint = SignedCheckpoint.sign(new Checkpoint(LOG.name(), size, store.root()), LOG);
        InclusionProof inclusion = new ProofBuilder(store).inclusion(index, size);
        return TlogProof.of(inclusion, checkpoint);
    }

    static byte[] entry(int i) {
        return ("{\"seq\":" + i + "}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void format_isHeaderIndexHashesBlankLineAndTheSignedCheckpoint() {
        TlogProof proof = proofFor(5, 13);

        String[] lines = proof.format().split("\n", -1);

        assertThat(lines[0]).isEqualTo("c2sp.org/tlog-proof@v1");
        assertThat(lines[1]).isEqualTo("index 5");
        assertThat(lines).hasSizeGreaterThan(2 + proof.hashes().size());
        for (int i = 0; i < proof.hashes().size(); i++) {
            assertThat(Base64.getDecoder().decode(lines[2 + i]))
                    .isEqualTo(proof.hashes().get(i));
        }
        assertThat(lines[2 + proof.hashes().size()]).isEmpty();
        assertThat(proof.format()).endsWith("\n\n" + proof.checkpoint().format());
    }

    @Test
    void parse_readsBackWhatFormatWrote() throws MalformedTlogProofException {
        TlogProof proof = proofFor(12, 13);
        assertThat(TlogProof.parse(proof.format())).isEqualTo(proof);
        assertThat(TlogProof.parse(proof.format()).format()).isEqualTo(proof.format());
    }

    @Test
    void extraData_isAnOptionalSecondLine() throws MalformedTlogProofException {
        TlogProof plain = proofFor(0, 1);
        TlogProof withExtra = new TlogProof(0, plain.hashes(), Optional.of(new byte[] {1, 2, 3}), plain.checkpoint());

        String text = withExtra.format();

        assertThat(text).startsWith("c2sp.org/tlog-proof@v1\nextra AQID\nindex 0\n\n");
        assertThat(TlogProof.parse(text).extra())
                .hasValueSatisfying(extra -> assertThat(extra).containsExactly(1, 2, 3));
    }

    @Test
    void proofForTheOnlyEntry_hasNoHashLines() {
        assertThat(proofFor(0, 1).format())
                .startsWith("c2sp.org/tlog-proof@v1\nindex 0\n\ncountersign.example/audit\n1\n");
    }

    @Test
    void inclusionProofForAnotherTreeSize_doesNotMakeAProof() {
        TlogProof proof = proofFor(0, 4);
        InclusionProof otherSize = new InclusionProof(0, 3, proof.hashes());
        assertThatThrownBy(() -> TlogProof.of(otherSize, proof.checkpoint()))
                .hasMessage("inclusion proof is for tree size 3, checkpoint for 4");
    }

    static Stream<Arguments> malformed() {
        String good = proofFor(5, 13).format();
        return Stream.of(
                Arguments.of(
                        "another header",
                        good.replace("tlog-proof@v1", "tlog-proof@v2"),
                        "tlog-proof must start with c2sp.org/tlog-proof@v1"),
                Arguments.of(
                        "no index line", good.replace("index 5\n", ""), "tlog-proof line 2 must be 'index <decimal>'"),
                Arguments.of(
                        "index with a leading zero",
                        good.replace("index 5", "index 05"),
                        "tlog-proof index '05' is not a decimal without leading zeros"),
                Arguments.of(
                        "hash not base64",
                        good.replaceFirst("index 5\n.", "index 5\n*"),
                        "tlog-proof line 3 is not a base64 SHA-256 hash"),
                Arguments.of(
                        "no blank line",
                        good.replace("\n\n", "\n"),
                        "tlog-proof has no blank line before its checkpoint"),
                Arguments.of(
                        "extra not base64",
                        good.replace("index 5", "extra !!\nindex 5"),
                        "tlog-proof extra data is not base64"),
                Arguments.of(
                        "unsigned checkpoint",
                        good.substring(0, good.indexOf("\u2014")),
                        "tlog-proof checkpoint: note signatures must be one or more lines, each ending with a newline"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void malformedProof_isRefused_namingTheProblem(String description, String text, String message) {
        assertThatThrownBy(() -> TlogProof.parse(text))
                .isInstanceOf(MalformedTlogProofException.class)
                .hasMessage(message);
    }
}
