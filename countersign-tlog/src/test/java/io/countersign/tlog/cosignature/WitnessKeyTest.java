package io.countersign.tlog.cosignature;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.countersign.tlog.checkpoint.Checkpoint;
import io.countersign.tlog.note.Note;
import io.countersign.tlog.note.NoteSignature;
import io.countersign.tlog.note.NoteSigner;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Cosignatures made here by hand from the text of c2sp.org/tlog-cosignature (JDK Ed25519, the
 * message {@code cosignature/v1\ntime <t>\n<checkpoint>}, the line {@code — <name>
 * base64(keyid || u64 t || signature)}), checked by {@link WitnessKey}.
 */
class WitnessKeyTest {
    private static final String NAME = "witness.example.com/w1";
    private KeyPair pair;
    private byte[] raw;
    private Checkpoint checkpoint;

    @BeforeEach
    void setUp() throws Exception {
        pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        byte[] encoded = pair.getPublic().getEncoded();
        raw = Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length);
        checkpoint = new Checkpoint("example.com/behind-the-sofa", 20852163, new byte[32]);
    }

    @Test
    void aCosignatureMadeAsTheSpecSays_verifies_withItsTimestamp() throws Exception {
        WitnessKey key = WitnessKey.parse(vkey(NAME, (byte) 0x04));
        NoteSignature line = cosign(NAME, 1679315147L, checkpoint.format());

        Cosignature cosignature = key.verify(checkpoint, line);

        assertThat(cosignature.witness()).isEqualTo(NAME);
        assertThat(cosignature.time()).isEqualTo(Instant.ofEpochSecond(1679315147L));
        assertThat(key.format()).isEqualTo(vkey(NAME, (byte) 0x04));
    }

    @Test
    void inANote_theWitnessLineIsFound_besideTheLogsOwnSignature() throws Exception {
        NoteSigner log = NoteSigner.generate(checkpoint.origin());
        Note signed = Note.sign(checkpoint.format(), log);
        String cosigned =
                signed.format() + cosign(NAME, 1700000000L, checkpoint.format()).line() + "\n";

        List<NoteSignature> lines = Note.parse(cosigned).signatures();

        assertThat(WitnessKey.parse(vkey(NAME, (byte) 0x04)).find(checkpoint, lines))
                .map(Cosignature::time)
                .contains(Instant.ofEpochSecond(1700000000L));
    }

    @Test
    void aCosignatureOfAnotherCheckpoint_orAnotherTime_isRefused() throws Exception {
        WitnessKey key = WitnessKey.parse(vkey(NAME, (byte) 0x04));
        NoteSignature ofOther =
                cosign(NAME, 1679315147L, new Checkpoint(checkpoint.origin(), 20852164, new byte[32]).format());
        assertThatThrownBy(() -> key.verify(checkpoint, ofOther))
                .isInstanceOf(CosignatureException.class)
                .hasMessageContaining("does not verify for the checkpoint of size 20852163");

        NoteSignature good = cosign(NAME, 1679315147L, checkpoint.format());
        byte[] bytes = good.signature();
        bytes[7] ^= 1; // the timestamp is signed too
        NoteSignature retimed = new NoteSignature(NAME, good.keyId(), bytes);
        assertThatThrownBy(() -> key.verify(checkpoint, retimed)).isInstanceOf(CosignatureException.class);
    }

    @Test
    void aSignatureOverTheBareCheckpoint_isNoCosignature() throws Exception {
        // What a witness that forgot the header would send: 8 bytes of time, then a plain note signature.
        Signature signer = Signature.getInstance("Ed25519");
        signer.initSign(pair.getPrivate());
        signer.update(checkpoint.format().getBytes(StandardCharsets.UTF_8));
        byte[] blob = ByteBuffer.allocate(72).putLong(1L).put(signer.sign()).array();
        NoteSignature line = new NoteSignature(NAME, keyId(NAME, (byte) 0x04), blob);

        assertThatThrownBy(() -> WitnessKey.parse(vkey(NAME, (byte) 0x04)).verify(checkpoint, line))
                .isInstanceOf(CosignatureException.class);
    }

    @Test
    void keys_withTheNoteTypeByte_aWrongKeyId_orAShortKey_areRefused() {
        assertThatThrownBy(() -> WitnessKey.parse(vkey(NAME, (byte) 0x01)))
                .hasMessageContaining("type byte is 1, want 4");
        String good = vkey(NAME, (byte) 0x04);
        String wrongId = NAME + "+00000000+" + good.split("\\+", 3)[2];
        assertThatThrownBy(() -> WitnessKey.parse(wrongId)).hasMessageContaining("does not match the key");
        assertThatThrownBy(() -> WitnessKey.parse(NAME + "+00000000+BAAA")).hasMessageContaining("want 32");
    }

    @Test
    void aLineWithTheWrongLength_isRefused() throws Exception {
        WitnessKey key = WitnessKey.parse(vkey(NAME, (byte) 0x04));
        NoteSignature shortLine = new NoteSignature(NAME, key.keyId(), new byte[64]);
        assertThatThrownBy(() -> key.verify(checkpoint, shortLine))
                .hasMessageContaining("64 bytes after the key id, want 72");
    }

    private NoteSignature cosign(String name, long time, String text) throws Exception {
        Signature signer = Signature.getInstance("Ed25519");
        signer.initSign(pair.getPrivate());
        signer.update(("cosignature/v1\ntime " + time + "\n" + text).getBytes(StandardCharsets.UTF_8));
        byte[] blob = ByteBuffer.allocate(72).putLong(time).put(signer.sign()).array();
        String line = "\u2014 " + name + " "
                + Base64.getEncoder()
                        .encodeToString(ByteBuffer.allocate(76)
                                .putInt(keyId(name, (byte) 0x04))
                                .put(blob)
                                .array());
        return Note.parse(checkpoint.format() + "\n" + line + "\n").signatures().get(0);
    }

    private String vkey(String name, byte type) {
        byte[] blob = new byte[33];
        blob[0] = type;
        System.arraycopy(raw, 0, blob, 1, 32);
        return name + "+" + HexFormat.of().toHexDigits(keyId(name, type)) + "+"
                + Base64.getEncoder().encodeToString(blob);
    }

    private int keyId(String name, byte type) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update((name + "\n").getBytes(StandardCharsets.UTF_8));
            sha256.update(type);
            sha256.update(raw);
            return ByteBuffer.wrap(sha256.digest()).getInt();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
