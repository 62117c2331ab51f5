package io.countersign.proxy.postgres;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/** The server side of TLS from PEM files: a certificate chain and an unencrypted PKCS#8 private key (RSA, EC or Ed25519). */
final class PemTls {
    private PemTls() {}

    static SSLContext context(PostgresProxyConfig.TlsFiles files, String prefix) {
        try {
            List<? extends Certificate> chain;
            try (InputStream in = Files.newInputStream(files.certFile())) {
                chain = List.copyOf(CertificateFactory.getInstance("X.509").generateCertificates(in));
            }
            if (chain.isEmpty()) {
                throw new IllegalArgumentException(
                        prefix + "tls.certFile " + files.certFile() + " holds no certificate");
            }
            PrivateKey key = privateKey(Files.readString(files.keyFile()), prefix + "tls.keyFile " + files.keyFile());
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            char[] none = new char[0];
            store.setKeyEntry("proxy", key, none, chain.toArray(Certificate[]::new));
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, none);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException(
                    prefix + "tls: can't load " + files.certFile() + " and " + files.keyFile() + ": " + e.getMessage(),
                    e);
        }
    }

    private static PrivateKey privateKey(String pem, String where) throws GeneralSecurityException {
        String begin = "-----BEGIN PRIVATE KEY-----";
        int start = pem.indexOf(begin);
        int end = pem.indexOf("-----END PRIVATE KEY-----");
        if (start < 0 || end < start) {
            throw new IllegalArgumentException(where + " is not an unencrypted PKCS#8 PEM key ('" + begin + "')");
        }
        byte[] der = Base64.getMimeDecoder().decode(pem.substring(start + begin.length(), end));
        for (String algorithm : List.of("RSA", "EC", "Ed25519")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (java.security.spec.InvalidKeySpecException e) {
                // try the next algorithm
            }
        }
        throw new IllegalArgumentException(where + " is neither an RSA, an EC nor an Ed25519 key");
    }
}
