package io.countersign.server.evidence;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import io.countersign.server.audit.verify.LogVerifier;
import io.countersign.server.audit.verify.VerifierState;
import io.countersign.server.evidence.EvidencePackage.Cited;
import io.countersign.server.evidence.EvidencePackage.DamagedPackage;
import io.countersign.tlog.TlogException;
import io.countersign.tlog.checkpoint.Checkpoint;
import io.countersign.tlog.checkpoint.SignedCheckpoint;
import io.countersign.tlog.note.NoteVerifier;
import io.countersign.tlog.proof.ProofVerifier;
import io.countersign.tlog.tree.TreeHasher;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Checks an evidence package offline, trusting nothing in it but what the trusted key signed:
 * <ol>
 *   <li>every file is listed in {@code manifest.json} with its SHA-256, and matches it;
 *   <li>the checkpoint is signed by the trusted key, and the package's key file is that key;
 *   <li>every cited entry is in the log: its inclusion proof verifies against the checkpoint;
 *   <li>the entries {@code [first, end)} are all there, the one before the range is timed before
 *       the period and the one after it at or after its end (nothing of the period left out);
 *   <li>every derived file (CSV, JSON Lines, reports, HTML, manifest) is exactly what the cited
 *       entries give: the verifier rebuilds each one and compares bytes.
 * </ol>
 * The first failure names the file.
 */
public final class EvidenceVerifier {
    private final JsonMapper mapper;

    public EvidenceVerifier(JsonMapper mapper) {
        this.mapper = requireNonNull(mapper, "mapper is null");
    }

    public sealed interface Outcome permits Verified, Failed, Unverifiable {}

    /** The package is what the log says. */
    public record Verified(
            EvidencePeriod period, Checkpoint checkpoint, NoteVerifier key, int cited, int files, List<String> notes)
            implements Outcome {}

    /** A file of the package is not what it should be; {@code file} names it. */
    public record Failed(String file, String problem) implements Outcome {}

    /** Nothing could be checked (no trusted key, unreadable file). */
    public record Unverifiable(String reason) implements Outcome {}

    public Outcome verify(Path zip, LogVerifier.Trust trust, Function<String, VerifierState> stateForOrigin) {
        Map<String, byte[]> files;
        try (InputStream in = Files.newInputStream(zip)) {
            files = EvidencePackage.readZip(in);
        } catch (DamagedPackage e) {
            return new Failed(e.file(), java.util.Objects.requireNonNullElse(e.getMessage(), "no detail"));
        } catch (IOException e) {
            return new Unverifiable("can't read " + zip + ": " + e.getMessage());
        }
        try {
            return check(files, trust, stateForOrigin);
        } catch (DamagedPackage e) {
            return new Failed(e.file(), java.util.Objects.requireNonNullElse(e.getMessage(), "no detail"));
        }
    }

    private Outcome check(
            Map<String, byte[]> files, LogVerifier.Trust trust, Function<String, VerifierState> stateForOrigin)
            throws DamagedPackage {
        List<String> notes = new ArrayList<>();
        JsonNode manifest = json(files, EvidencePackage.MANIFEST);
        if (!EvidencePackage.FORMAT.equals(manifest.path("format").asString(""))) {
            throw new DamagedPackage(EvidencePackage.MANIFEST, "format is not '" + EvidencePackage.FORMAT + "'");
        }
        // Which files differ from the manifest's hash: only a hint of where a change is (which file to
        // name); what decides is the rebuild below, which trusts neither.
        JsonNode hashes = manifest.path("sha256");
        Set<String> unlike = new HashSet<>();
        List<String> unlisted = new ArrayList<>();
        for (Map.Entry<String, byte[]> file : files.entrySet()) {
            if (file.getKey().equals(EvidencePackage.MANIFEST)) {
                continue;
            }
            String listed = hashes.path(file.getKey()).asString("");
            if (listed.isEmpty()) {
                unlisted.add(file.getKey());
            } else if (!MessageDigest.isEqual(
                    listed.getBytes(UTF_8),
                    EvidencePackage.sha256(file.getValue()).getBytes(UTF_8))) {
                unlike.add(file.getKey());
            }
        }
        List<String> missing = new ArrayList<>();
        for (var listed : hashes.propertyNames()) {
            if (!files.containsKey(listed)) {
                missing.add(listed);
            }
        }
        // A name changed in the manifest leaves both a file it does not list and a name with no file:
        // the manifest is what changed, not the file.
        if (!unlisted.isEmpty() && !missing.isEmpty()) {
            throw new DamagedPackage(
                    EvidencePackage.MANIFEST,
                    "lists " + missing.getFirst() + ", which the package does not have, and not " + unlisted.getFirst()
                            + ", which it has: the manifest was changed");
        }
        if (!unlisted.isEmpty()) {
            throw new DamagedPackage(
                    unlisted.getFirst(),
                    "is not listed in " + EvidencePackage.MANIFEST + ": a file was added to the package");
        }
        if (!missing.isEmpty()) {
            throw new DamagedPackage(
                    missing.getFirst(), "is listed in " + EvidencePackage.MANIFEST + " but missing from the package");
        }

        EvidencePeriod period;
        try {
            period = EvidencePeriod.parse(
                    manifest.path("period").path("from").asString(""),
                    manifest.path("period").path("to").asString(""));
        } catch (IllegalArgumentException e) {
            throw new DamagedPackage(EvidencePackage.MANIFEST, "period: " + e.getMessage());
        }
        long first = manifest.path("log").path("first").asLong(-1);
        long end = manifest.path("log").path("end").asLong(-1);
        if (!unlike.contains(EvidenceFiles.STATS_JSON)) {
            JsonNode stats = json(files, EvidenceFiles.STATS_JSON);
            if (!stats.path("from").asString("").equals(period.from().toString())
                    || !stats.path("to").asString("").equals(period.to().toString())
                    || stats.path("logFirst").asLong(-2) != first
                    || stats.path("logEnd").asLong(-2) != end) {
                throw new DamagedPackage(
                        EvidencePackage.MANIFEST,
                        "its period or log range differs from " + EvidenceFiles.STATS_JSON
                                + "'s, which is as exported");
            }
        }

        String note = text(files, EvidencePackage.CHECKPOINT);
        SignedCheckpoint signed;
        try {
            signed = SignedCheckpoint.parse(note);
        } catch (TlogException | IllegalArgumentException e) {
            throw new DamagedPackage(EvidencePackage.CHECKPOINT, "is not a signed checkpoint: " + e.getMessage());
        }
        String origin = signed.checkpoint().origin();
        String keyText = text(files, EvidencePackage.KEY).strip();
        NoteVerifier key;
        if (trust.key().isPresent()) {
            key = trust.key().get();
        } else {
            Optional<VerifierState.Remembered> remembered =
                    stateForOrigin.apply(origin).load();
            if (remembered.isPresent()) {
                key = remembered.get().key();
            } else if (trust.trustOnFirstUse()) {
                try {
                    key = NoteVerifier.parse(keyText);
                } catch (IllegalArgumentException e) {
                    throw new DamagedPackage(EvidencePackage.KEY, "is not a verifier key: " + e.getMessage());
                }
                notes.add("trusting the key the package holds, " + key
                        + "; pass --key to check it against your own record of it");
            } else {
                return new Unverifiable("no trusted key for the log '" + origin
                        + "': pass --key <verifier key> (from a channel you trust), "
                        + "or --trust-on-first-use to trust the key the package holds");
            }
        }
        if (!keyText.equals(key.format())) {
            throw new DamagedPackage(EvidencePackage.KEY, "holds '" + keyText + "', not the trusted key " + key);
        }
        Checkpoint checkpoint;
        try {
            checkpoint = signed.verify(key);
        } catch (TlogException e) {
            throw new DamagedPackage(
                    EvidencePackage.CHECKPOINT, "is not signed by the trusted key " + key + ": " + e.getMessage());
        }

        List<Cited> cited = provenEntries(files, checkpoint, unlike);
        complete(cited, period, first, end, checkpoint.size());

        LogHead head;
        try {
            head = new LogHead(
                    checkpoint.origin(),
                    checkpoint.size(),
                    Base64.getEncoder().encodeToString(checkpoint.rootHash()),
                    key.format(),
                    first,
                    end,
                    cited.size());
        } catch (IllegalArgumentException e) {
            throw new DamagedPackage(
                    EvidencePackage.MANIFEST, java.util.Objects.requireNonNullElse(e.getMessage(), "no detail"));
        }
        Map<String, byte[]> rebuilt = EvidencePackage.assemble(period, cited, head, note);
        for (Map.Entry<String, byte[]> file : rebuilt.entrySet()) {
            String name = file.getKey();
            byte[] held = files.get(name);
            if (held == null) {
                throw new DamagedPackage(name, "is missing from the package");
            }
            if (Arrays.equals(held, file.getValue())) {
                continue;
            }
            java.util.Optional<String> lineEndings = LineEndings.onlyDifference(held, file.getValue());
            if (lineEndings.isPresent()) {
                throw new DamagedPackage(name, lineEndings.get());
            }
            if (name.equals(EvidencePackage.MANIFEST) || unlike.contains(name)) {
                throw new DamagedPackage(
                        name,
                        "was changed: it is not what the cited audit entries give for the period " + period.from()
                                + " to " + period.to() + " (first difference at byte "
                                + Arrays.mismatch(held, file.getValue()) + ")");
            }
            throw new DamagedPackage(
                    name,
                    "is not what the cited audit entries give for the period " + period.from() + " to " + period.to()
                            + " (first difference at byte " + Arrays.mismatch(held, file.getValue()) + "), though "
                            + EvidencePackage.MANIFEST
                            + " lists its hash: both were changed");
        }
        for (String name : files.keySet()) {
            if (!rebuilt.containsKey(name)) {
                throw new DamagedPackage(name, "is not part of an evidence package");
            }
        }
        if (end < checkpoint.size()) {
            notes.add(
                    "the package holds the log up to entry " + (end - 1) + " of " + checkpoint.size()
                            + ": events of the period's requests"
                            + " after that entry (a late break-glass review) would not show; an export whose range reaches the checkpoint proves there are none");
        }
        return new Verified(period, checkpoint, key, cited.size(), files.size(), notes);
    }

    /** The cited entries, each proven to be at its index in the checkpoint's tree. */
    private List<Cited> provenEntries(Map<String, byte[]> files, Checkpoint checkpoint, Set<String> unlike)
            throws DamagedPackage {
        List<byte[]> leaves = lines(files, EvidencePackage.ENTRIES);
        List<byte[]> proofLines = lines(files, EvidencePackage.PROOFS);
        if (leaves.size() != proofLines.size()) {
            throw new DamagedPackage(
                    EvidencePackage.PROOFS, "holds " + proofLines.size() + " proofs for " + leaves.size() + " entries");
        }
        List<Cited> cited = new ArrayList<>(leaves.size());
        long previous = -1;
        for (int i = 0; i < leaves.size(); i++) {
            LoggedEvent event;
            try {
                event = LoggedEvent.parse(mapper, leaves.get(i));
            } catch (IllegalArgumentException e) {
                throw new DamagedPackage(EvidencePackage.ENTRIES, "line " + (i + 1) + ": " + e.getMessage());
            }
            if (event.seq() <= previous) {
                throw new DamagedPackage(
                        EvidencePackage.ENTRIES,
                        "line " + (i + 1) + ": entry " + event.seq() + " is not after entry " + previous);
            }
            previous = event.seq();
            JsonNode proof;
            List<byte[]> hashes = new ArrayList<>();
            try {
                proof = mapper.readTree(proofLines.get(i));
                for (JsonNode hash : proof.path("hashes")) {
                    byte[] bytes = Base64.getDecoder().decode(hash.asString(""));
                    if (bytes.length != TreeHasher.HASH_SIZE) {
                        throw new IllegalArgumentException("a hash of " + bytes.length + " bytes");
                    }
                    hashes.add(bytes);
                }
            } catch (JacksonException | IllegalArgumentException e) {
                throw new DamagedPackage(
                        EvidencePackage.PROOFS, "line " + (i + 1) + " is not an inclusion proof: " + e.getMessage());
            }
            if (proof.path("index").asLong(-1) != event.seq()
                    || proof.path("size").asLong(-1) != checkpoint.size()) {
                throw new DamagedPackage(
                        EvidencePackage.PROOFS,
                        "line " + (i + 1) + " is not the proof of entry " + event.seq() + " in the tree of "
                                + checkpoint.size());
            }
            if (event.seq() >= checkpoint.size()) {
                throw new DamagedPackage(
                        EvidencePackage.ENTRIES,
                        "line " + (i + 1) + ": entry " + event.seq() + " is beyond the checkpoint of size "
                                + checkpoint.size());
            }
            try {
                ProofVerifier.verifyInclusion(
                        TreeHasher.leafHash(leaves.get(i)),
                        event.seq(),
                        checkpoint.size(),
                        hashes,
                        checkpoint.rootHash());
            } catch (TlogException e) {
                String file = unlike.contains(EvidencePackage.PROOFS) && !unlike.contains(EvidencePackage.ENTRIES)
                        ? EvidencePackage.PROOFS
                        : EvidencePackage.ENTRIES;
                throw new DamagedPackage(
                        file,
                        "line " + (i + 1) + ": entry " + event.seq()
                                + " is not in the log under the signed checkpoint (" + e.getMessage()
                                + "): the entry or its proof was changed");
            }
            cited.add(new Cited(event, hashes));
        }
        return cited;
    }

    /** The range is held in full, and the entries around it lie outside the period. */
    private static void complete(List<Cited> cited, EvidencePeriod period, long first, long end, long size)
            throws DamagedPackage {
        if (first < 0 || end < first || end > size) {
            throw new DamagedPackage(
                    EvidencePackage.MANIFEST,
                    "range [" + first + ", " + end + ") is not within the log of " + size + " entries");
        }
        Map<Long, Instant> times = new HashMap<>();
        cited.forEach(c -> times.put(c.event().seq(), c.event().time()));
        for (long seq = first; seq < end; seq++) {
            if (!times.containsKey(seq)) {
                throw new DamagedPackage(
                        EvidencePackage.ENTRIES,
                        "entry " + seq + " of the period's range [" + first + ", " + end + ") is missing");
            }
        }
        Instant beforeFirst = first > 0 ? times.get(first - 1) : null;
        if (first > 0 && (beforeFirst == null || !beforeFirst.isBefore(period.from()))) {
            throw new DamagedPackage(
                    EvidencePackage.ENTRIES,
                    "entry " + (first - 1) + ", just before the range, is missing or not before " + period.from()
                            + ": the range does not start where the period does");
        }
        if (end < size && (!times.containsKey(end) || times.get(end).isBefore(period.to()))) {
            throw new DamagedPackage(
                    EvidencePackage.ENTRIES,
                    "entry " + end + ", just after the range, is missing or before " + period.to()
                            + ": the range does not reach the end of the period");
        }
    }

    private JsonNode json(Map<String, byte[]> files, String name) throws DamagedPackage {
        byte[] bytes = required(files, name);
        try {
            JsonNode node = mapper.readTree(bytes);
            if (node == null || !node.isObject()) {
                throw new DamagedPackage(name, "is not a JSON object");
            }
            return node;
        } catch (JacksonException e) {
            throw new DamagedPackage(name, "is not valid JSON: " + e.getOriginalMessage());
        }
    }

    private static String text(Map<String, byte[]> files, String name) throws DamagedPackage {
        return new String(required(files, name), UTF_8);
    }

    private static List<byte[]> lines(Map<String, byte[]> files, String name) throws DamagedPackage {
        byte[] bytes = required(files, name);
        List<byte[]> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                lines.add(Arrays.copyOfRange(bytes, start, i));
                start = i + 1;
            }
        }
        if (start != bytes.length) {
            throw new DamagedPackage(name, "does not end with a line feed");
        }
        return lines;
    }

    private static byte[] required(Map<String, byte[]> files, String name) throws DamagedPackage {
        byte[] bytes = files.get(name);
        if (bytes == null) {
            throw new DamagedPackage(name, "is missing from the package");
        }
        return bytes;
    }
}
