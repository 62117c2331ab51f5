package io.countersign.tlog.note;

import static io.countersign.tlog.note.GoNoteVectors.DOUBLY_SIGNED_NOTE;
import static io.countersign.tlog.note.GoNoteVectors.NOTE;
import static io.countersign.tlog.note.GoNoteVectors.TEXT;
import static io.countersign.tlog.note.GoNoteVectors.VERIFIER_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class NoteTest {
    private static final NoteVerifier PETER = NoteVerifier.parse(VERIFIER_KEY);

    @Test
    void goPublishedExample_verifiesWithThePublishedVerifierKey() throws NoteException {
        VerifiedNote note = Note.open(NOTE, List.of(PETER));

        assertThat(note.text()).isEqualTo(TEXT);
        assertThat(note.verified())
                .extracting(NoteSignature::keyName, NoteSignature::keyId)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("PeterNeumann", 0xc74f20a3));
        assertThat(note.unverified()).isEmpty();
    }

    @Test
    void signatureFromAnUnknownKey_isIgnored() throws NoteException {
        VerifiedNote note = Note.open(DOUBLY_SIGNED_NOTE, List.of(PETER));

        assertThat(note.verified()).extracting(NoteSignature::keyName).containsExactly("PeterNeumann");
        assertThat(note.unverified()).extracting(NoteSignature::keyName).containsExactly("EnochRoot");
    }

    @Test
    void noteSignedOnlyByUnknownKeys_isUnverified() {
        NoteVerifier stranger = NoteSigner.generate("stranger.example").verifier();

        assertThatThrownBy(() -> Note.open(DOUBLY_SIGNED_NOTE, List.of(stranger)))
                .isInstanceOfSatisfying(UnverifiedNoteException.class, e -> assertThat(e.signatures())
                        .hasSize(2))
                .hasMessageStartingWith(
                        "note has no signature from a known key; signed by PeterNeumann+c74f20a3, EnochRoot+");
    }

    @Test
    void signatureWithAKnownNameButAnotherKeyId_isIgnoredAsUnknown() {
        NoteSigner impostor = NoteSigner.generate("PeterNeumann");
        String note = Note.sign(TEXT, impostor).format();

        assertThatThrownBy(() -> Note.open(note, List.of(PETER))).isInstanceOf(UnverifiedNoteException.class);
    }

    @Test
    void tamperedText_isAnInvalidSignature() {
        String tampered = NOTE.replace("cryptography", "cryptographY");

        assertThatThrownBy(() -> Note.open(tampered, List.of(PETER)))
                .isInstanceOfSatisfying(InvalidSignatureException.class, e -> {
                    assertThat(e.keyName()).isEqualTo("PeterNeumann");
                    assertThat(e.keyId()).isEqualTo(0xc74f20a3);
                })
                .hasMessage("invalid signature for key PeterNeumann+c74f20a3");
    }

    @Test
    void tamperedSignature_isAnInvalidSignature() {
        byte[] blob = Base64.getDecoder()
                .decode("x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=");
        blob[20] ^= 0x01; // inside the signature, after the 4-byte key id
        String tampered = TEXT + "\n\u2014 PeterNeumann " + Base64.getEncoder().encodeToString(blob) + "\n";

        assertThatThrownBy(() -> Note.open(tampered, List.of(PETER))).isInstanceOf(InvalidSignatureException.class);
    }

    @Test
    void badSignatureFromAKnownKey_rejectsTheNote_evenNextToAGoodOne() {
        NoteSigner log = NoteSigner.generate("log.example");
        Note good = Note.sign(TEXT, log);
        NoteSignature forged = new NoteSignature("log.example", log.keyId(), new byte[64]);
        String message = new Note(TEXT, List.of(good.signatures().get(0), forged)).format();

        assertThatThrownBy(() -> Note.open(message, List.of(log.verifier())))
                .isInstanceOf(InvalidSignatureException.class);
    }

    @Test
    void signFormatParseVerify_roundTrips() throws NoteException {
        NoteSigner log = NoteSigner.generate("countersign.example/audit");
        NoteSigner witness = NoteSigner.generate("witness.example");
        String text = "line one\n\nline three after a blank line\n";

        String message = Note.sign(text, log, witness).format();
        Note parsed = Note.parse(message);
        VerifiedNote verified = parsed.verify(List.of(log.verifier(), witness.verifier()));

        assertThat(parsed.text()).isEqualTo(text);
        assertThat(parsed.format()).isEqualTo(message);
        assertThat(verified.verified())
                .extracting(NoteSignature::keyName)
                .containsExactly("countersign.example/audit", "witness.example");
    }

    @Test
    void parse_fromUtf8Bytes_readsTheSameNote() throws MalformedNoteException {
        assertThat(Note.parse(NOTE.getBytes(StandardCharsets.UTF_8))).isEqualTo(Note.parse(NOTE));
    }

    @Test
    void parse_ofInvalidUtf8_isMalformed() {
        byte[] bytes = NOTE.getBytes(StandardCharsets.UTF_8);
        bytes[3] = (byte) 0xff;
        assertThatThrownBy(() -> Note.parse(bytes))
                .isInstanceOf(MalformedNoteException.class)
                .hasMessage("note is not valid UTF-8");
    }

    static Stream<Arguments> malformedNotes() {
        String sig = GoNoteVectors.PETER_SIGNATURE;
        return Stream.of(
                Arguments.of("no blank line", TEXT + sig),
                Arguments.of("no signature", TEXT + "\n"),
                Arguments.of("signature without final newline", TEXT + "\n" + sig.strip()),
                Arguments.of("hyphen instead of em dash", TEXT + "\n" + sig.replace('\u2014', '-')),
                Arguments.of("no space after the dash", TEXT + "\n" + sig.replace("\u2014 ", "\u2014")),
                Arguments.of("no signature after the name", TEXT + "\n\u2014 PeterNeumann\n"),
                Arguments.of("empty signature", TEXT + "\n\u2014 PeterNeumann \n"),
                Arguments.of("signature not base64", TEXT + "\n\u2014 PeterNeumann x08go*ZJ\n"),
                Arguments.of("signature of 4 bytes", TEXT + "\n\u2014 PeterNeumann AAAAAA==\n"),
                Arguments.of("base64 without padding", TEXT + "\n" + sig.replace("AM=\n", "AM\n")),
                Arguments.of("name with a plus", TEXT + "\n" + sig.replace("PeterNeumann", "Peter+Neumann")),
                Arguments.of("tab in the text", "a\tb\n\n" + sig),
                Arguments.of("carriage return in the text", "a\r\n\n" + sig),
                Arguments.of("blank line among the signatures", TEXT + "\n" + sig + "\n"),
                Arguments.of("101 signatures", TEXT + "\n" + sig.repeat(101)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedNotes")
    void malformedNote_isRefusedBeforeAnySignatureCheck(String description, String message) {
        assertThatThrownBy(() -> Note.parse(message)).as(description).isInstanceOf(MalformedNoteException.class);
    }

    @Test
    void oneHundredSignatures_areAccepted() throws NoteException {
        String message = TEXT + "\n" + GoNoteVectors.PETER_SIGNATURE.repeat(100);
        assertThat(Note.open(message, List.of(PETER)).verified()).hasSize(1);
    }

    @Test
    void sameKnownKeyListedTwice_isNotAmbiguous() throws NoteException {
        assertThat(Note.open(NOTE, List.of(PETER, NoteVerifier.parse(VERIFIER_KEY)))
                        .verified())
                .hasSize(1);
    }
}
