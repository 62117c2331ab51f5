package io.countersign.tlog.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class Ed25519Test {

    @Test
    void fromSeed_derivesTheRfc8032PublicKey() {
        // RFC 8032 §7.1, TEST 1.
        byte[] seed = HexFormat.of().parseHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
        KeyPair pair = Ed25519.fromSeed(seed);
        assertThat(HexFormat.of().formatHex(Ed25519.rawPublicKey(pair.getPublic())))
                .isEqualTo("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    }

    @Test
    void fromSeed_signsLikeRfc8032() {
        // RFC 8032 §7.1, TEST 1: the empty message.
        byte[] seed = HexFormat.of().parseHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
        byte[] signature = Ed25519.sign(Ed25519.fromSeed(seed).getPrivate(), new byte[0]);
        assertThat(HexFormat.of().formatHex(signature))
                .isEqualTo(
                        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
    }

    @Test
    void fromSeed_ofTheWrongLength_isRefused() {
        assertThatThrownBy(() -> Ed25519.fromSeed(new byte[31])).hasMessage("Ed25519 seed has 31 bytes, want 32");
    }

    @Test
    void publicKey_ofTheGoExampleKey_roundTripsThroughTheJdkKey() {
        byte[] raw = Base64.getDecoder().decode("GlzZBxQ8OExB6DDFvOEqqIF+xWSaqr8sMTiLNbLXRNY=");
        assertThat(Ed25519.rawPublicKey(Ed25519.publicKey(raw))).isEqualTo(raw);
    }

    @Test
    void verify_ofASignatureOfTheWrongLength_isFalse() {
        KeyPair pair = Ed25519.fromSeed(new byte[32]);
        assertThat(Ed25519.verify(pair.getPublic(), new byte[0], new byte[65])).isFalse();
    }
}
