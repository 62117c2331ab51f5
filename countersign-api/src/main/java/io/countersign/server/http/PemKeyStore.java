package io.countersign.server.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The key store Jetty serves TLS from, read from the PEM files a certificate authority (or
 * certbot, or cert-manager) hands out. The JDK reads PEM certificates itself; a PKCS#8 key is one
 * base64 block around a DER structure that {@link KeyFactory} reads for RSA, EC and EdDSA keys.
 */
final class PemKeyStore {
    private static final Pattern PKCS8 =
            Pattern.compile("-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");
    private static final List<String> ALGORITHMS = List.of("RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS");

    private PemKeyStore() {}

    /** An in-memory PKCS#12 store with the key under alias "countersign", protected by {@code password}. */
    static KeyStore load(TlsFiles files, char[] password) {
        try {
            List<? extends Certificate> chain;
            try (InputStream in = Files.newInputStream(files.certFile())) {
                chain = List.copyOf(CertificateFactory.getInstance("X.509").generateCertificates(in));
            } catch (CertificateException e) {
                throw new IllegalArgumentException(
                        "server.tls.certFile " + files.certFile() + " is not a PEM certificate chain: "
                                + e.getMessage(),
                        e);
            }
            if (chain.isEmpty()) {
                throw new IllegalArgumentException("server.tls.certFile " + files.certFile() + " holds no certificate");
            }
            PrivateKey key = privateKey(files);
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("countersign", key, password, chain.toArray(Certificate[]::new));
            return store;
        } catch (IOException e) {
            throw new IllegalArgumentException("server.tls: can't read " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(
                    "server.tls: the key " + files.keyFile() + " does not go with the certificate " + files.certFile()
                            + ": " + e.getMessage(),
                    e);
        }
    }

    private static PrivateKey privateKey(TlsFiles files) throws IOException {
        String pem = Files.readString(files.keyFile(), StandardCharsets.US_ASCII);
        Matcher matcher = PKCS8.matcher(pem);
        if (!matcher.find()) {
            String found = pem.contains("ENCRYPTED")
                    ? "an encrypted key"
                    : pem.contains("BEGIN RSA PRIVATE KEY") || pem.contains("BEGIN EC PRIVATE KEY")
                            ? "a key in the older PKCS#1/SEC1 form"
                            : "no PEM private key";
            throw new IllegalArgumentException(
                    "server.tls.keyFile " + files.keyFile() + " holds " + found
                            + "; want an unencrypted PKCS#8 key (BEGIN PRIVATE KEY): openssl pkcs8 -topk8 -nocrypt -in KEY -out key.pem");
        }
        byte[] der = Base64.getMimeDecoder().decode(matcher.group(1));
        for (String algorithm : ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (InvalidKeySpecException | java.security.NoSuchAlgorithmException notThisOne) {
                // try the next algorithm
            }
        }
        throw new IllegalArgumentException(
                "server.tls.keyFile " + files.keyFile() + ": not an RSA, EC or EdDSA private key");
    }
}
