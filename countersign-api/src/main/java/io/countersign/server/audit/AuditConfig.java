package io.countersign.server.audit;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The {@code audit:} section: the log's origin (also its signing key's name), where its
 * Ed25519 signing key is (default: {@code audit-signing.key} in the data folder, generated on
 * first start), the witnesses that receive every new checkpoint, and how often a checkpoint is
 * signed while entries arrive.
 *
 * <pre>
 * audit:
 *   origin: countersign.example.com/audit
 *   signingKeyFile: /etc/countersign/audit-signing.key
 *   witnesses:                # c2sp.org/tlog-witness; posts to &lt;url&gt;/add-checkpoint
 *     - url: https://witness.example.net/countersign
 *       key: witness.example.net/w1+1a2b3c4d+BGt...   # its cosignature vkey (type 0x04)
 *   checkpointInterval: 1s
 *   publicEntries: false      # true: GET /v1/audit/entries without a credential
 * </pre>
 *
 * <p>Entries carry parameters, comments and approvers' emails, so reading them needs an auditor
 * or admin credential unless {@code publicEntries} is set; checkpoints, the key and proofs are
 * always public.
 */
public record AuditConfig(
        Optional<String> origin,
        Optional<Path> signingKeyFile,
        List<WitnessConfig> witnesses,
        Duration checkpointInterval,
        boolean publicEntries,
        String tilesPrefix) {
    public static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofSeconds(1);

    /** Where the C2SP tlog-tiles resources are served by default: {@code /v1/audit/tlog/checkpoint}, ... */
    public static final String DEFAULT_TILES_PREFIX = "/v1/audit/tlog";

    static final Duration MIN_CHECKPOINT_INTERVAL = Duration.ofMillis(10);
    static final Duration MAX_CHECKPOINT_INTERVAL = Duration.ofHours(1);

    public AuditConfig {
        requireNonNull(origin, "origin is null");
        requireNonNull(signingKeyFile, "signingKeyFile is null");
        requireNonNull(checkpointInterval, "checkpointInterval is null");
        requireValidTilesPrefix(requireNonNull(tilesPrefix, "tilesPrefix is null"));
        witnesses = List.copyOf(witnesses);
        origin.ifPresent(AuditConfig::requireValidOrigin);
        if (witnesses.stream().map(w -> w.key().name()).distinct().count() != witnesses.size()) {
            throw new IllegalArgumentException("two witnesses share a key name; each witness needs its own");
        }
        if (checkpointInterval.compareTo(MIN_CHECKPOINT_INTERVAL) < 0
                || checkpointInterval.compareTo(MAX_CHECKPOINT_INTERVAL) > 0) {
            throw new IllegalArgumentException("checkpointInterval is " + checkpointInterval + ", want 10ms to 1h");
        }
    }

    /** With private entries. */
    public AuditConfig(
            Optional<String> origin,
            Optional<Path> signingKeyFile,
            List<WitnessConfig> witnesses,
            Duration checkpointInterval) {
        this(origin, signingKeyFile, witnesses, checkpointInterval, false);
    }

    /** With the tiles at {@link #DEFAULT_TILES_PREFIX}. */
    public AuditConfig(
            Optional<String> origin,
            Optional<Path> signingKeyFile,
            List<WitnessConfig> witnesses,
            Duration checkpointInterval,
            boolean publicEntries) {
        this(origin, signingKeyFile, witnesses, checkpointInterval, publicEntries, DEFAULT_TILES_PREFIX);
    }

    public static AuditConfig defaults() {
        return new AuditConfig(Optional.empty(), Optional.empty(), List.of(), DEFAULT_CHECKPOINT_INTERVAL);
    }

    public AuditConfig withPublicEntries(boolean open) {
        return new AuditConfig(origin, signingKeyFile, witnesses, checkpointInterval, open, tilesPrefix);
    }

    public AuditConfig withOrigin(String newOrigin) {
        return new AuditConfig(
                Optional.of(newOrigin), signingKeyFile, witnesses, checkpointInterval, publicEntries, tilesPrefix);
    }

    public AuditConfig withWitnesses(List<WitnessConfig> newWitnesses) {
        return new AuditConfig(origin, signingKeyFile, newWitnesses, checkpointInterval, publicEntries, tilesPrefix);
    }

    public AuditConfig withCheckpointInterval(Duration interval) {
        return new AuditConfig(origin, signingKeyFile, witnesses, interval, publicEntries, tilesPrefix);
    }

    public AuditConfig withTilesPrefix(String prefix) {
        return new AuditConfig(origin, signingKeyFile, witnesses, checkpointInterval, publicEntries, prefix);
    }

    public AuditConfig withSigningKeyFile(Path file) {
        return new AuditConfig(origin, Optional.of(file), witnesses, checkpointInterval, publicEntries, tilesPrefix);
    }

    /**
     * The tiles' URL prefix: empty (the tiles at the server's root, for a host of their own) or
     * {@code /} and path segments of letters, digits, {@code - _ .}, without a trailing slash.
     */
    public static void requireValidTilesPrefix(String prefix) {
        if (prefix.isEmpty()) {
            return;
        }
        if (!prefix.matches("(/[A-Za-z0-9_.-]+)+")
                || prefix.contains("/./")
                || prefix.contains("/../")
                || prefix.endsWith("/.")
                || prefix.endsWith("/..")) {
            throw new IllegalArgumentException(
                    "audit tilesPrefix '" + prefix + "' must be empty or like /v1/audit/tlog:"
                            + " path segments of letters, digits, '-', '_' and '.', no trailing slash");
        }
        if (prefix.equals("/console") || prefix.startsWith("/console/")) {
            throw new IllegalArgumentException(
                    "audit tilesPrefix '" + prefix + "' is under /console, the web console's");
        }
    }

    /**
     * The origin is the first line of every checkpoint and the signing key's name (C2SP
     * tlog-checkpoint recommends a schema-less URL such as {@code example.com/log}): printable,
     * without spaces or '+'.
     */
    static void requireValidOrigin(String origin) {
        if (origin.isEmpty()
                || origin.length() > 200
                || !origin.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != '+')) {
            throw new IllegalArgumentException(
                    "audit origin '" + origin + "' must be 1 to 200 printable ASCII characters without"
                            + " spaces or '+', like countersign.example.com/audit");
        }
    }
}
