package io.countersign.tlog.note;

import static io.countersign.tlog.note.GoNoteVectors.NOTE;
import static io.countersign.tlog.note.GoNoteVectors.PRIVATE_KEY;
import static io.countersign.tlog.note.GoNoteVectors.TEXT;
import static io.countersign.tlog.note.GoNoteVectors.VERIFIER_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class NoteSignerTest {

    @Test
    void goPrivateKey_derivesThePublishedVerifierKey() {
        assertThat(NoteSigner.parse(PRIVATE_KEY).verifier().format()).isEqualTo(VERIFIER_KEY);
    }

    @Test
    void goPrivateKey_reproducesThePublishedNoteByteForByte() {
        // Ed25519 signatures are deterministic (RFC 8032), so this pins the seed handling,
        // the signed bytes and the signature line format to Go's implementation at once.
        assertThat(Note.sign(TEXT, NoteSigner.parse(PRIVATE_KEY)).format()).isEqualTo(NOTE);
    }

    @Test
    void generatedKey_exportedAndParsedBack_isTheSameKey() throws NoteException {
        NoteSigner signer = NoteSigner.generate("countersign.example/audit");

        NoteSigner reloaded = NoteSigner.parse(signer.exportPrivateKey());

        assertThat(reloaded).isEqualTo(signer);
        assertThat(reloaded.verifier()).isEqualTo(signer.verifier());
        assertThat(signer.exportPrivateKey()).startsWith("PRIVATE+KEY+countersign.example/audit+");
        assertThat(Note.open(Note.sign("x\n", reloaded).format(), List.of(signer.verifier()))
                        .text())
                .isEqualTo("x\n");
    }

    @Test
    void generatedKeys_differ() {
        assertThat(NoteSigner.generate("a").verifier())
                .isNotEqualTo(NoteSigner.generate("a").verifier());
    }

    @Test
    void toString_neverShowsTheSecret() {
        NoteSigner signer = NoteSigner.parse(PRIVATE_KEY);
        assertThat(signer).hasToString("***");
        assertThat(String.valueOf(List.of(signer))).doesNotContain("AYEKFALV");
    }

    @Test
    void privateKey_withTheWrongKeyId_isRefused_withoutEchoingTheSecret() {
        assertThatThrownBy(() -> NoteSigner.parse(PRIVATE_KEY.replace("c74f20a3", "00000000")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("private key 'PeterNeumann': key id 00000000 does not match the key, want c74f20a3");
    }

    @Test
    void privateKey_withAnyPartCutOffOrAnyCharacterChanged_isRefused_withoutEchoingTheSecret() {
        byte[] b = PRIVATE_KEY.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i <= b.length; i++) {
            for (int j = i + 1; j <= b.length; j++) {
                if (i != 0 || j != b.length) {
                    assertRefused(new String(b, i, j - i, StandardCharsets.US_ASCII));
                }
            }
        }
        for (int i = 0; i < b.length; i++) {
            b[i]++;
            assertRefused(new String(b, StandardCharsets.US_ASCII));
            b[i]--;
        }
    }

    @Test
    void verifierKey_isNotAPrivateKey() {
        assertThatThrownBy(() -> NoteSigner.parse(VERIFIER_KEY)).hasMessage("private key must start with PRIVATE+KEY+");
    }

    @Test
    void signature_isOverTheUtf8TextWithItsKeyNameAndId() {
        NoteSigner signer = NoteSigner.parse(PRIVATE_KEY);
        NoteSignature signature = signer.sign(TEXT);

        assertThat(signature.keyName()).isEqualTo("PeterNeumann");
        assertThat(signature.keyId()).isEqualTo(0xc74f20a3);
        assertThat(signature.signature()).hasSize(64);
        assertThat(signer.verifier().verify(TEXT.getBytes(StandardCharsets.UTF_8), signature.signature()))
                .isTrue();
    }

    private static void assertRefused(String key) {
        assertThatThrownBy(() -> NoteSigner.parse(key))
                .as("'%s'", key)
                .isInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("AYEKFALVFGyNhPJEMzD1QIDr"));
    }
}
