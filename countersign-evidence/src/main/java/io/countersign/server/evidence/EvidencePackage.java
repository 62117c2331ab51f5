package io.countersign.server.evidence;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.countersign.canonical.CanonicalJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The evidence package: a zip of the derived files (population, reports, HTML summary), the
 * audit entries they come from with an inclusion proof each, the signed checkpoint, the
 * verifier key, and {@code manifest.json} (period, log, range, SHA-256 of every other file).
 *
 * <p>{@link #assemble} is the single function from (period, cited entries, proofs, checkpoint,
 * key) to every file's bytes; the exporter calls it to write a package, the verifier calls it
 * again on what it proved and compares byte for byte.
 */
public final class EvidencePackage {
    public static final String FORMAT = "countersign-evidence v1";
    static final String MANIFEST = "manifest.json";
    static final String ENTRIES = "log/entries.jsonl";
    static final String PROOFS = "log/inclusion-proofs.jsonl";
    static final String CHECKPOINT = "log/checkpoint.txt";
    static final String KEY = "log/key.txt";

    /** A package is read whole into memory; more than this is not one we wrote. */
    static final long MAX_BYTES = 1L << 30;

    private EvidencePackage() {}

    /** One cited entry with its RFC 9162 audit path under the checkpoint. */
    record Cited(LoggedEvent event, List<byte[]> proof) {
        Cited {
            proof = List.copyOf(proof);
        }
    }

    /** Every file of the package, in order, the manifest last. */
    static Map<String, byte[]> assemble(EvidencePeriod period, List<Cited> cited, LogHead head, String checkpointNote) {
        Map<String, byte[]> files = new LinkedHashMap<>(EvidenceFiles.write(
                EvidenceAnalysis.of(cited.stream().map(Cited::event).toList(), period), head));
        ByteArrayOutputStream entries = new ByteArrayOutputStream();
        ByteArrayOutputStream proofs = new ByteArrayOutputStream();
        Base64.Encoder base64 = Base64.getEncoder();
        for (Cited entry : cited) {
            entries.writeBytes(entry.event().leaf());
            entries.write('\n');
            ObjectNode proof = JsonNodeFactory.instance.objectNode();
            proof.put("index", entry.event().seq());
            proof.put("size", head.size());
            ArrayNode hashes = proof.putArray("hashes");
            entry.proof().forEach(hash -> hashes.add(base64.encodeToString(hash)));
            proofs.writeBytes(CanonicalJson.bytes(proof));
            proofs.write('\n');
        }
        files.put(ENTRIES, entries.toByteArray());
        files.put(PROOFS, proofs.toByteArray());
        files.put(CHECKPOINT, checkpointNote.getBytes(UTF_8));
        files.put(KEY, (head.key() + "\n").getBytes(UTF_8));
        files.put(MANIFEST, manifest(period, head, files));
        return files;
    }

    private static byte[] manifest(EvidencePeriod period, LogHead head, Map<String, byte[]> files) {
        ObjectNode manifest = JsonNodeFactory.instance.objectNode();
        manifest.put("format", FORMAT);
        ObjectNode periodNode = manifest.putObject("period");
        periodNode.put("from", period.from().toString());
        periodNode.put("to", period.to().toString());
        ObjectNode log = manifest.putObject("log");
        log.put("origin", head.origin());
        log.put("size", head.size());
        log.put("root", head.root());
        log.put("key", head.key());
        log.put("first", head.first());
        log.put("end", head.end());
        log.put("cited", head.cited());
        ObjectNode hashes = manifest.putObject("sha256");
        files.forEach((name, bytes) -> hashes.put(name, sha256(bytes)));
        manifest.put("verify", "countersign audit verify --export <this zip> --key <the log's verifier key>");
        return CanonicalJson.bytes(manifest);
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /** Writes the files as a zip, in order, with a fixed timestamp so that the same package gives the same zip. */
    static void writeZip(Map<String, byte[]> files, OutputStream out) throws IOException {
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            for (Map.Entry<String, byte[]> file : files.entrySet()) {
                ZipEntry entry = new ZipEntry(file.getKey());
                entry.setTime(315_532_800_000L); // 1980-01-01, the zip epoch
                zip.putNextEntry(entry);
                zip.write(file.getValue());
                zip.closeEntry();
            }
        }
    }

    /** Whether {@code start} begins like a zip file (local file header "PK\3\4"). */
    public static boolean looksLikeZip(byte[] start) {
        return start.length >= 4 && start[0] == 'P' && start[1] == 'K' && start[2] == 3 && start[3] == 4;
    }

    /**
     * Reads every file of a zip.
     *
     * @throws DamagedPackage on a duplicate name, a folder entry, or more than {@link #MAX_BYTES}
     */
    static Map<String, byte[]> readZip(InputStream in) throws IOException, DamagedPackage {
        Map<String, byte[]> files = new LinkedHashMap<>();
        long total = 0;
        try (ZipInputStream zip = new ZipInputStream(in, UTF_8)) {
            ZipEntry entry;
            while ((entry = zip.getNextEntry()) != null) {
                String name = entry.getName();
                if (entry.isDirectory()) {
                    continue;
                }
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                byte[] buffer = new byte[65_536];
                int n;
                while ((n = zip.read(buffer)) > 0) {
                    total += n;
                    if (total > MAX_BYTES) {
                        throw new DamagedPackage(
                                name,
                                "the package holds more than " + MAX_BYTES + " bytes; not a package Countersign wrote");
                    }
                    bytes.write(buffer, 0, n);
                }
                if (files.putIfAbsent(name, bytes.toByteArray()) != null) {
                    throw new DamagedPackage(name, "appears twice in the zip");
                }
            }
        } catch (java.util.zip.ZipException e) {
            throw new DamagedPackage("(zip)", "is not a readable zip: " + e.getMessage());
        }
        return files;
    }

    /** A package file that is not what it should be; {@code file} names it. */
    public static final class DamagedPackage extends Exception {
        private final String file;

        public DamagedPackage(String file, String problem) {
            super(file + ": " + problem);
            this.file = file;
        }

        public String file() {
            return file;
        }
    }
}
