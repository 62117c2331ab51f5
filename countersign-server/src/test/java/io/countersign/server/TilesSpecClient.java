package io.countersign.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A tlog-tiles client written from the C2SP texts (tlog-tiles, tlog-checkpoint, signed-note)
 * and RFC 6962 / 9162 alone, sharing no code with the gateway or the tlog library: it verifies
 * the checkpoint's Ed25519 signature, reads hashes from tiles (fetching each tile once, at the
 * width the checkpoint's size implies), rebuilds the root, builds and checks inclusion proofs,
 * and reads entry bundles.
 */
final class TilesSpecClient {
    /** A verified checkpoint: origin, size, root hash. */
    record Checkpoint(String origin, long size, byte[] root) {}

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String prefix;
    private final Optional<String> token;
    private final Map<String, byte[]> fetched = new HashMap<>();
    private long size;

    /** {@code prefix} is the log's URL prefix, such as http://127.0.0.1:1234/v1/audit/tlog. */
    TilesSpecClient(String prefix, Optional<String> token) {
        this.prefix = prefix;
        this.token = token;
    }

    /** Fetches {@code <prefix>/checkpoint} and verifies its signature by {@code vkey}. */
    Checkpoint checkpoint(String vkey) throws IOException, InterruptedException, GeneralSecurityException {
        HttpResponse<byte[]> answer = get("/checkpoint");
        if (answer.statusCode() != 200) {
            throw new IOException("checkpoint: HTTP " + answer.statusCode());
        }
        String note = new String(answer.body(), StandardCharsets.UTF_8);
        int split = note.indexOf("\n\n");
        String text = note.substring(0, split + 1);
        String[] vkeyParts = vkey.split("\\+", 3);
        String name = vkeyParts[0];
        byte[] keyBytes = Base64.getDecoder().decode(vkeyParts[2]);
        if (keyBytes[0] != 0x01 || keyBytes.length != 33) {
            throw new GeneralSecurityException("not an Ed25519 note key");
        }
        byte[] keyId =
                Arrays.copyOf(sha256(concat(name.getBytes(StandardCharsets.UTF_8), new byte[] {'\n'}, keyBytes)), 4);
        if (!HexFormat.of().formatHex(keyId).equals(vkeyParts[1])) {
            throw new GeneralSecurityException("vkey's key id does not match its key");
        }
        boolean verified = false;
        for (String line : note.substring(split + 2).split("\n")) {
            if (!line.startsWith("\u2014 " + name + " ")) {
                continue;
            }
            byte[] signature = Base64.getDecoder().decode(line.substring(line.lastIndexOf(' ') + 1));
            if (!Arrays.equals(Arrays.copyOf(signature, 4), keyId)) {
                continue;
            }
            Signature ed25519 = Signature.getInstance("Ed25519");
            ed25519.initVerify(ed25519Key(Arrays.copyOfRange(keyBytes, 1, 33)));
            ed25519.update(text.getBytes(StandardCharsets.UTF_8));
            verified |= ed25519.verify(Arrays.copyOfRange(signature, 4, signature.length));
        }
        if (!verified) {
            throw new GeneralSecurityException("no valid signature by " + name + " on\n" + note);
        }
        String[] lines = text.split("\n");
        size = Long.parseLong(lines[1]);
        return new Checkpoint(lines[0], size, Base64.getDecoder().decode(lines[2]));
    }

    /** MTH(D[begin:end]) from tiles, by RFC 6962's definition: a perfect aligned range is a stored node. */
    byte[] rangeHash(long begin, long end) throws IOException, InterruptedException {
        long n = end - begin;
        if (Long.bitCount(n) == 1 && begin % n == 0) {
            return nodeHash(Long.numberOfTrailingZeros(n), begin / n);
        }
        long k = Long.highestOneBit(n - 1);
        return hashChildren(rangeHash(begin, begin + k), rangeHash(begin + k, end));
    }

    /** RFC 6962 PATH(m, D[0:size]), built from tiles. */
    List<byte[]> inclusionProof(long m) throws IOException, InterruptedException {
        List<byte[]> path = new ArrayList<>();
        path(m, 0, size, path);
        return path;
    }

    private void path(long m, long begin, long end, List<byte[]> out) throws IOException, InterruptedException {
        long n = end - begin;
        if (n == 1) {
            return;
        }
        long k = Long.highestOneBit(n - 1);
        if (m - begin < k) {
            path(m, begin, begin + k, out);
            out.add(rangeHash(begin + k, end));
        } else {
            path(m, begin + k, end, out);
            out.add(rangeHash(begin, begin + k));
        }
    }

    /** RFC 9162 section 2.1.3.2: whether {@code proof} proves {@code leafHash} at {@code index} under {@code root}. */
    static boolean verifyInclusion(long index, long treeSize, byte[] leafHash, List<byte[]> proof, byte[] root) {
        if (index >= treeSize) {
            return false;
        }
        long fn = index;
        long sn = treeSize - 1;
        byte[] r = leafHash;
        for (byte[] p : proof) {
            if (sn == 0) {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn) {
                r = hashChildren(p, r);
                if ((fn & 1) == 0) {
                    while ((fn & 1) == 0 && fn != 0) {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            } else {
                r = hashChildren(r, p);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && Arrays.equals(r, root);
    }

    /** The hash of the perfect subtree at tree {@code height} and {@code index}, from the tile holding it. */
    byte[] nodeHash(int height, long index) throws IOException, InterruptedException {
        int tileLevel = height / 8;
        int within = height % 8;
        long firstHash = index << within; // its leftmost hash at level 8 * tileLevel
        long tileIndex = firstHash / 256;
        int offset = (int) (firstHash % 256);
        long hashesAtLevel = size >> (8 * tileLevel);
        int width = (int) Math.min(256, hashesAtLevel - tileIndex * 256);
        byte[] tile = tile(tileLevel, tileIndex, width);
        List<byte[]> hashes = new ArrayList<>();
        for (int i = offset; i < offset + (1 << within); i++) {
            hashes.add(Arrays.copyOfRange(tile, i * 32, i * 32 + 32));
        }
        while (hashes.size() > 1) {
            List<byte[]> up = new ArrayList<>();
            for (int i = 0; i < hashes.size(); i += 2) {
                up.add(hashChildren(hashes.get(i), hashes.get(i + 1)));
            }
            hashes = up;
        }
        return hashes.get(0);
    }

    /** A tile at the width a tree of the checkpoint's size has, fetched once. */
    byte[] tile(int level, long index, int width) throws IOException, InterruptedException {
        String path = "/tile/" + level + "/" + encodeIndex(index) + (width == 256 ? "" : ".p/" + width);
        byte[] cached = fetched.get(path);
        if (cached != null) {
            return cached;
        }
        HttpResponse<byte[]> answer = get(path);
        if (answer.statusCode() != 200 || answer.body().length != 32 * width) {
            throw new IOException(path + ": HTTP " + answer.statusCode() + ", " + answer.body().length + " bytes");
        }
        fetched.put(path, answer.body());
        return answer.body();
    }

    /** The entries of bundle {@code index}, at the width the checkpoint's size implies. */
    List<byte[]> entries(long index) throws IOException, InterruptedException {
        int width = (int) Math.min(256, size - index * 256);
        String path = "/tile/entries/" + encodeIndex(index) + (width == 256 ? "" : ".p/" + width);
        HttpResponse<byte[]> answer = get(path);
        if (answer.statusCode() != 200) {
            throw new IOException(path + ": HTTP " + answer.statusCode());
        }
        ByteBuffer bundle = ByteBuffer.wrap(answer.body());
        List<byte[]> entries = new ArrayList<>();
        while (bundle.hasRemaining()) {
            byte[] entry = new byte[Short.toUnsignedInt(bundle.getShort())];
            bundle.get(entry);
            entries.add(entry);
        }
        if (entries.size() != width) {
            throw new IOException(path + " has " + entries.size() + " entries, want " + width);
        }
        return entries;
    }

    /** The spec's index encoding: 1234067 is x001/x234/067. */
    static String encodeIndex(long index) {
        String digits = Long.toString(index);
        while (digits.length() % 3 != 0) {
            digits = "0" + digits;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < digits.length(); i += 3) {
            boolean last = i + 3 == digits.length();
            out.append(last ? "" : "x").append(digits, i, i + 3).append(last ? "" : "/");
        }
        return out.toString();
    }

    HttpResponse<byte[]> get(String path) throws IOException, InterruptedException {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create(prefix + path)).timeout(Duration.ofSeconds(30));
        token.ifPresent(t -> request.header("Authorization", "Bearer " + t));
        return HTTP.send(request.GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static byte[] leafHash(byte[] entry) {
        return sha256(concat(new byte[] {0}, entry));
    }

    static byte[] hashChildren(byte[] left, byte[] right) {
        return sha256(concat(new byte[] {1}, left, right));
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    /** An Ed25519 public key from its 32 raw bytes, wrapped in the X.509 SubjectPublicKeyInfo of RFC 8410. */
    private static PublicKey ed25519Key(byte[] raw) throws GeneralSecurityException {
        byte[] prefix = HexFormat.of().parseHex("302a300506032b6570032100");
        return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(concat(prefix, raw)));
    }
}
