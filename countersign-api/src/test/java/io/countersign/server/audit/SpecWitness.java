package io.countersign.server.audit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * A witness written from the text of c2sp.org/tlog-witness, tlog-cosignature, signed-note and
 * tlog-checkpoint, with the JDK only: nothing of countersign-tlog, so that a misreading of the
 * specs in our code can't hide in the same misreading here. On 127.0.0.1, port 0, serving
 * {@code POST <prefix>/add-checkpoint}. Its state (the latest cosigned checkpoint) outlives a
 * gateway restart, as a real witness's does.
 */
final class SpecWitness implements AutoCloseable {
    static final String PREFIX = "/w1";
    private static final byte[] ED25519_SPKI = HexFormat.of().parseHex("302a300506032b6570032100");

    private final HttpServer server;
    private final String name;
    private final KeyPair key;
    private final String logOrigin;
    private final PublicKey logKey;
    private final int logKeyId;
    private boolean forgeCosignatures; // guarded by this
    private long size; // guarded by this: the latest cosigned size, 0 when none
    private byte[] root = new byte[0]; // guarded by this
    private final List<Long> cosigned = new ArrayList<>(); // guarded by this
    private final List<String> refused = new ArrayList<>(); // guarded by this
    private final List<Long> oldSizes = new ArrayList<>(); // guarded by this
    private int conflicts; // guarded by this

    /** @param logVkey the log's verifier key, {@code <origin>+<keyid>+<base64(0x01 || key)>} */
    SpecWitness(String name, String logVkey) throws IOException, GeneralSecurityException {
        this.name = name;
        this.key = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        String[] parts = logVkey.split("\\+", 3);
        this.logOrigin = parts[0];
        byte[] blob = Base64.getDecoder().decode(parts[2]);
        if (blob[0] != 0x01 || blob.length != 33) {
            throw new IllegalArgumentException("not an Ed25519 note key: " + logVkey);
        }
        byte[] raw = Arrays.copyOfRange(blob, 1, 33);
        this.logKey = publicKey(raw);
        this.logKeyId = keyId(logOrigin, (byte) 0x01, raw);
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext(PREFIX + "/add-checkpoint", this::handle);
        server.start();
    }

    /** The submission prefix. */
    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + PREFIX;
    }

    /** The witness's vkey: {@code <name>+<keyid>+<base64(0x04 || key)>}. */
    String vkey() {
        byte[] raw = rawPublicKey();
        byte[] blob = new byte[33];
        blob[0] = 0x04;
        System.arraycopy(raw, 0, blob, 1, 32);
        return name + "+" + String.format("%08x", keyId(name, (byte) 0x04, raw)) + "+"
                + Base64.getEncoder().encodeToString(blob);
    }

    synchronized long size() {
        return size;
    }

    synchronized List<Long> cosigned() {
        return List.copyOf(cosigned);
    }

    synchronized List<String> refused() {
        return List.copyOf(refused);
    }

    synchronized List<Long> oldSizes() {
        return List.copyOf(oldSizes);
    }

    synchronized int conflicts() {
        return conflicts;
    }

    /** From now on, answer with a cosignature whose signature bytes are wrong. */
    synchronized void forgeCosignatures() {
        forgeCosignatures = true;
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"POST".equals(exchange.getRequestMethod())) {
                answer(exchange, 405, "text/plain", "POST only\n");
                return;
            }
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            synchronized (this) {
                handle(exchange, body);
            }
        } catch (GeneralSecurityException e) {
            throw new IOException(e);
        }
    }

    private void handle(HttpExchange exchange, String body) throws IOException, GeneralSecurityException {
        // old size line, proof lines, an empty line, then the checkpoint (a signed note).
        int blank = body.indexOf("\n\n");
        if (!body.startsWith("old ") || blank < 0) {
            refuse(exchange, 400, "body is not 'old <size>\\n', proof lines, a blank line, a checkpoint");
            return;
        }
        String[] head = body.substring(0, blank).split("\n", -1);
        long old = decimal(head[0].substring(4));
        List<byte[]> proof = new ArrayList<>();
        for (int i = 1; i < head.length; i++) {
            proof.add(Base64.getDecoder().decode(head[i]));
        }
        if (old < 0 || proof.size() > 63) {
            refuse(exchange, 400, "bad old size line or more than 63 proof lines");
            return;
        }
        oldSizes.add(old);
        String note = body.substring(blank + 2);
        int split = note.lastIndexOf("\n\n");
        String text = note.substring(0, split + 1);
        String[] lines = text.split("\n", -1);
        if (lines.length < 4 || !lines[0].equals(logOrigin)) {
            refuse(exchange, 404, "unknown origin");
            return;
        }
        long checkpointSize = decimal(lines[1]);
        byte[] checkpointRoot = Base64.getDecoder().decode(lines[2]);
        if (!signedByLog(text, note.substring(split + 2))) {
            refuse(exchange, 403, "no signature from the log's key verifies");
            return;
        }
        if (old > checkpointSize) {
            refuse(exchange, 400, "old size " + old + " is larger than the checkpoint's " + checkpointSize);
            return;
        }
        if (old != size) {
            conflicts++;
            answer(exchange, 409, "text/x.tlog.size", size + "\n");
            return;
        }
        if (old == checkpointSize) {
            if (!proof.isEmpty() || (old > 0 && !MessageDigest.isEqual(root, checkpointRoot))) {
                answer(exchange, 409, "text/plain", "another root for the same size\n");
                return;
            }
        } else if (old == 0) {
            if (!proof.isEmpty()) {
                refuse(exchange, 422, "a proof from size 0 must be empty");
                return;
            }
        } else if (!consistent(old, checkpointSize, root, checkpointRoot, proof)) {
            refuse(exchange, 422, "the consistency proof from " + old + " to " + checkpointSize + " does not verify");
            return;
        }
        size = checkpointSize;
        root = checkpointRoot;
        cosigned.add(checkpointSize);
        answer(exchange, 200, "text/plain; charset=utf-8", cosignature(text) + "\n");
    }

    /** tlog-cosignature: {@code — <name> base64(keyid || u64 timestamp || Ed25519 signature)}. */
    private String cosignature(String text) throws GeneralSecurityException {
        long timestamp = Instant.now().getEpochSecond();
        Signature signer = Signature.getInstance("Ed25519");
        signer.initSign(key.getPrivate());
        signer.update(("cosignature/v1\ntime " + timestamp + "\n" + text).getBytes(StandardCharsets.UTF_8));
        byte[] signature = signer.sign();
        if (forgeCosignatures) {
            signature[0] ^= 1;
        }
        byte[] blob = ByteBuffer.allocate(4 + 8 + 64)
                .putInt(keyId(name, (byte) 0x04, rawPublicKey()))
                .putLong(timestamp)
                .put(signature)
                .array();
        return "\u2014 " + name + " " + Base64.getEncoder().encodeToString(blob);
    }

    private boolean signedByLog(String text, String signatureBlock) throws GeneralSecurityException {
        for (String line : signatureBlock.split("\n")) {
            String[] parts = line.split(" ");
            if (parts.length != 3 || !parts[0].equals("\u2014") || !parts[1].equals(logOrigin)) {
                continue;
            }
            byte[] blob = Base64.getDecoder().decode(parts[2]);
            if (blob.length != 68 || ByteBuffer.wrap(blob).getInt() != logKeyId) {
                continue;
            }
            Signature verifier = Signature.getInstance("Ed25519");
            verifier.initVerify(logKey);
            verifier.update(text.getBytes(StandardCharsets.UTF_8));
            if (verifier.verify(Arrays.copyOfRange(blob, 4, 68))) {
                return true;
            }
        }
        return false;
    }

    /** RFC 9162 §2.1.4.2, step by step. */
    private static boolean consistent(long first, long second, byte[] firstRoot, byte[] secondRoot, List<byte[]> proof)
            throws GeneralSecurityException {
        List<byte[]> path = new ArrayList<>(proof);
        if (Long.bitCount(first) == 1) {
            path.addFirst(firstRoot);
        }
        if (path.isEmpty()) {
            return false;
        }
        long fn = first - 1;
        long sn = second - 1;
        while ((fn & 1) == 1) {
            fn >>= 1;
            sn >>= 1;
        }
        byte[] fr = path.get(0);
        byte[] sr = path.get(0);
        for (byte[] c : path.subList(1, path.size())) {
            if (sn == 0) {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn) {
                fr = node(c, fr);
                sr = node(c, sr);
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            } else {
                sr = node(sr, c);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return MessageDigest.isEqual(fr, firstRoot) && MessageDigest.isEqual(sr, secondRoot) && sn == 0;
    }

    private static byte[] node(byte[] left, byte[] right) throws GeneralSecurityException {
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        sha256.update((byte) 0x01);
        sha256.update(left);
        sha256.update(right);
        return sha256.digest();
    }

    private void refuse(HttpExchange exchange, int status, String why) throws IOException {
        refused.add(status + " " + why);
        answer(exchange, status, "text/plain", why + "\n");
    }

    private static void answer(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private static long decimal(String text) {
        return text.matches("0|[1-9][0-9]{0,17}") ? Long.parseLong(text) : -1;
    }

    private byte[] rawPublicKey() {
        byte[] encoded = key.getPublic().getEncoded();
        return Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length);
    }

    private static PublicKey publicKey(byte[] raw) throws GeneralSecurityException {
        byte[] encoded = Arrays.copyOf(ED25519_SPKI, ED25519_SPKI.length + 32);
        System.arraycopy(raw, 0, encoded, ED25519_SPKI.length, 32);
        return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(encoded));
    }

    private static int keyId(String name, byte type, byte[] raw) {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        sha256.update(name.getBytes(StandardCharsets.UTF_8));
        sha256.update((byte) '\n');
        sha256.update(type);
        sha256.update(raw);
        return ByteBuffer.wrap(sha256.digest()).getInt();
    }
}
