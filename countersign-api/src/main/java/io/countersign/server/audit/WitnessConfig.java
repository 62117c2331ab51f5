package io.countersign.server.audit;

import static java.util.Objects.requireNonNull;

import io.countersign.tlog.cosignature.WitnessKey;
import java.net.URI;

/**
 * One {@code audit.witnesses} entry: the witness's submission prefix (the gateway posts to
 * {@code <url>/add-checkpoint}, c2sp.org/tlog-witness) and its cosignature key as a C2SP vkey
 * ({@code <name>+<keyid>+<base64(0x04 || Ed25519 key)>}). Cosignatures from any other key are
 * ignored; one from this key that does not verify is a failed delivery.
 */
public record WitnessConfig(URI url, WitnessKey key) {
    public WitnessConfig {
        requireNonNull(url, "url is null");
        requireNonNull(key, "key is null");
        if (!("http".equals(url.getScheme()) || "https".equals(url.getScheme())) || url.getHost() == null) {
            throw new IllegalArgumentException("witness '" + url + "' is not an http(s) URL");
        }
        if (url.getRawQuery() != null || url.getRawFragment() != null) {
            throw new IllegalArgumentException(
                    "witness '" + url + "' is a URL prefix; '/add-checkpoint' is appended, so no query or fragment");
        }
    }

    public static WitnessConfig of(String url, String vkey) {
        return new WitnessConfig(URI.create(url), WitnessKey.parse(vkey));
    }

    /** {@code <prefix>/add-checkpoint}, with exactly one slash between. */
    public URI addCheckpoint() {
        String prefix = url.toString();
        return URI.create(
                (prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix) + "/add-checkpoint");
    }
}
