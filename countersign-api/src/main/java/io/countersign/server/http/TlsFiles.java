package io.countersign.server.http;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/** {@code server.tls}: the PEM certificate chain and the PEM private key (PKCS#8, unencrypted) the gateway serves HTTPS with. */
public record TlsFiles(Path certFile, Path keyFile) {
    public TlsFiles {
        requireNonNull(certFile, "certFile is null");
        requireNonNull(keyFile, "keyFile is null");
    }
}
