package io.countersign.policy;

import static java.util.Objects.requireNonNull;

import io.countersign.policy.internal.CompiledRule;
import io.countersign.policy.internal.Decider;
import io.countersign.policy.internal.PolicyParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * A compiled policy: immutable, validated at load, its conditions type-checked and planned once,
 * and safe to share across threads. Its version is the content hash of the file,
 * {@code sha256:<64 hex>}, so two nodes running the same file report the same version.
 *
 * <p>Decisions: among the rules whose {@code match} globs and {@code when} condition match, the
 * most restrictive effect wins (deny over require_approval over allow); every matching
 * require_approval rule contributes an approval requirement; when nothing matches, the policy's
 * {@code default} applies (deny unless the file says otherwise).
 */
public final class Policy implements PolicyEngine {
    static final String EXAMPLE_RESOURCE = "example-policy.yaml";

    private final String fileName;
    private final String source;
    private final String version;
    private final Effect defaultEffect;
    private final Optional<ApprovalRequirement> defaultApproval;
    private final List<RuleSummary> rules;
    private final List<Breaker> breakers;
    private final Decider decider;

    private Policy(String fileName, String source, String version, PolicyParser.Parsed parsed) {
        this.fileName = fileName;
        this.source = source;
        this.version = version;
        this.defaultEffect = parsed.defaultEffect();
        this.defaultApproval = parsed.defaultApproval();
        this.rules = parsed.rules().stream().map(CompiledRule::summary).toList();
        this.breakers = parsed.breakers();
        this.decider = new Decider(parsed.rules(), defaultEffect, defaultApproval, version);
    }

    /**
     * Compiles policy text. {@code fileName} is only used to name the file in errors.
     *
     * @throws PolicyException naming the file, line and rule of the first problem
     */
    public static Policy parse(String fileName, String yaml) {
        requireNonNull(fileName, "fileName is null");
        requireNonNull(yaml, "yaml is null");
        return new Policy(
                fileName, yaml, versionOf(yaml.getBytes(StandardCharsets.UTF_8)), PolicyParser.parse(fileName, yaml));
    }

    /**
     * Reads and compiles a policy file (UTF-8). Errors name the file as {@code file.toString()}.
     *
     * @throws PolicyException when the file cannot be read or is not a valid policy
     */
    public static Policy load(Path file) {
        requireNonNull(file, "file is null");
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new PolicyException(file.toString(), 0, Optional.empty(), "cannot read the policy: " + e, e);
        }
        return fromBytes(file.toString(), bytes);
    }

    /** The example policy that ships in the jar; what {@code countersign serve} uses without {@code --policy}. */
    public static Policy bundledExample() {
        try (InputStream in = Policy.class.getResourceAsStream(EXAMPLE_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(
                        "bug: " + EXAMPLE_RESOURCE + " is missing from the countersign-core jar");
            }
            return fromBytes(EXAMPLE_RESOURCE, in.readAllBytes());
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the bundled " + EXAMPLE_RESOURCE, e);
        }
    }

    static Policy fromBytes(String fileName, byte[] bytes) {
        String text;
        try {
            // Strict decoding: a policy with mangled bytes should fail loudly, not match oddly.
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new PolicyException(fileName, 0, Optional.empty(), "the file is not valid UTF-8", e);
        }
        return new Policy(fileName, text, versionOf(bytes), PolicyParser.parse(fileName, text));
    }

    /** {@code sha256:} and the 64 lowercase hex digits of the SHA-256 of the file's bytes. */
    static String versionOf(byte[] bytes) {
        try {
            return "sha256:"
                    + HexFormat.of()
                            .formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    @Override
    public Decision decide(DecisionInput input) {
        return decider.decide(requireNonNull(input, "input is null"));
    }

    /** The same decision without the rule index; for tests that pin the index against it. */
    Decision decideByLinearScan(DecisionInput input) {
        return decider.decideByLinearScan(requireNonNull(input, "input is null"));
    }

    @Override
    public String version() {
        return version;
    }

    /** The policy text as loaded. */
    public String source() {
        return source;
    }

    /** The name the policy was loaded under, as used in its error messages. */
    public String fileName() {
        return fileName;
    }

    /** The rules in file order. */
    public List<RuleSummary> rules() {
        return rules;
    }

    /** The circuit breakers: those on rules, in rule order, then the top-level ones, in file order. */
    @Override
    public List<Breaker> breakers() {
        return breakers;
    }

    public Effect defaultEffect() {
        return defaultEffect;
    }

    /** Present exactly when the default is require_approval; its rule name is {@code default}. */
    public Optional<ApprovalRequirement> defaultApproval() {
        return defaultApproval;
    }

    @Override
    public String toString() {
        return "Policy[" + fileName + ", " + version + ", " + rules.size() + " rule(s), default "
                + defaultEffect.wireName() + "]";
    }
}
