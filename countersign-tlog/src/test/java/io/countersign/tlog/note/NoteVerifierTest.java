package io.countersign.tlog.note;

import static io.countersign.tlog.note.GoNoteVectors.VERIFIER_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class NoteVerifierTest {

    @Test
    void goVerifierKey_parsesToItsNameKeyIdAndKey_andFormatsBackUnchanged() {
        NoteVerifier verifier = NoteVerifier.parse(VERIFIER_KEY);

        assertThat(verifier.name()).isEqualTo("PeterNeumann");
        assertThat(verifier.keyId()).isEqualTo(0xc74f20a3);
        assertThat(verifier.publicKey()).hasSize(32);
        assertThat(verifier.format()).isEqualTo(VERIFIER_KEY);
        assertThat(verifier).hasToString(VERIFIER_KEY);
    }

    @Test
    void verifierFromTheRawPublicKey_isTheSameKey() {
        NoteVerifier parsed = NoteVerifier.parse(VERIFIER_KEY);
        assertThat(NoteVerifier.ofEd25519("PeterNeumann", parsed.publicKey())).isEqualTo(parsed);
    }

    @Test
    void keyId_isTheFirstFourBytesOfSha256OfNameNewlineAlgorithmAndKey() throws Exception {
        NoteVerifier verifier = NoteVerifier.parse(VERIFIER_KEY);
        var sha256 = java.security.MessageDigest.getInstance("SHA-256");
        sha256.update("PeterNeumann\n".getBytes(StandardCharsets.UTF_8));
        sha256.update((byte) 1);
        sha256.update(verifier.publicKey());
        assertThat(java.nio.ByteBuffer.wrap(sha256.digest()).getInt()).isEqualTo(verifier.keyId());
    }

    @Test
    void verifierKey_withTheWrongKeyId_isRefused_namingBothIds() {
        assertThatThrownBy(() -> NoteVerifier.parse(VERIFIER_KEY.replace("c74f20a3", "c74f20a4")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("verifier key 'PeterNeumann': key id c74f20a4 does not match the key, want c74f20a3");
    }

    @Test
    void verifierKey_withUppercaseHex_isAccepted_asGoDoes() {
        assertThat(NoteVerifier.parse(VERIFIER_KEY.replace("c74f20a3", "C74F20A3"))
                        .keyId())
                .isEqualTo(0xc74f20a3);
    }

    @Test
    void verifierKey_withAnyPartCutOffOrAnyCharacterChanged_isRefused() {
        // The mangling check of Go's note_test.go: every proper substring, every +1 byte.
        byte[] b = VERIFIER_KEY.getBytes(StandardCharsets.US_ASCII);
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
    void verifierKey_ofAnotherLengthOrAlgorithm_isRefused_evenWithAMatchingKeyId() {
        NoteVerifier peter = NoteVerifier.parse(VERIFIER_KEY);
        String longer = Base64.getEncoder()
                .encodeToString(java.util.Arrays.copyOf(
                        Base64.getDecoder().decode(VERIFIER_KEY.substring(VERIFIER_KEY.lastIndexOf('+') + 1)), 34));
        assertThatThrownBy(
                        () -> NoteVerifier.parse("PeterNeumann+" + String.format("%08x", peter.keyId()) + "+" + longer))
                .hasMessage("verifier key 'PeterNeumann': Ed25519 key has 33 bytes, want 32");
        // From Go's note_test.go: the key ids are adjusted to match the mangled keys.
        assertThatThrownBy(() -> NoteVerifier.parse(
                        "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=="))
                .hasMessage("verifier key 'PeterNeumann': key is not base64"); // "Y==" has stray bits: not canonical
        assertThatThrownBy(
                        () -> NoteVerifier.parse("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"))
                .hasMessage("verifier key 'PeterNeumann': unknown algorithm 101, want 1 (Ed25519)");
    }

    @Test
    void verify_acceptsOnlyTheKeysOwnSignatureOfTheText() {
        NoteSigner signer = NoteSigner.generate("log.example");
        byte[] text = "hello\n".getBytes(StandardCharsets.UTF_8);
        byte[] signature = signer.sign("hello\n").signature();

        assertThat(signer.verifier().verify(text, signature)).isTrue();
        assertThat(signer.verifier().verify("hellO\n".getBytes(StandardCharsets.UTF_8), signature))
                .isFalse();
        assertThat(NoteSigner.generate("log.example").verifier().verify(text, signature))
                .isFalse();
        assertThat(signer.verifier().verify(text, new byte[63])).isFalse();
    }

    @Test
    void publicKeyCopies_cannotChangeTheVerifier() {
        NoteVerifier verifier = NoteVerifier.parse(VERIFIER_KEY);
        byte[] published = Base64.getDecoder().decode(VERIFIER_KEY.substring(VERIFIER_KEY.lastIndexOf('+') + 1));

        verifier.publicKey()[0] ^= 1;

        assertThat(verifier.publicKey()).isEqualTo(java.util.Arrays.copyOfRange(published, 1, 33));
        assertThat(verifier.format()).isEqualTo(VERIFIER_KEY);
    }

    private static void assertRefused(String key) {
        assertThatThrownBy(() -> NoteVerifier.parse(key)).as("'%s'", key).isInstanceOf(IllegalArgumentException.class);
    }
}
