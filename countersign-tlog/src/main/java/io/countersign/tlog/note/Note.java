package io.countersign.tlog.note;

import io.countersign.tlog.internal.NoteNames;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A signed note (c2sp.org/signed-note): a text ending in a newline, a blank line, and one or
 * more signature lines {@code — <key name> base64(keyid || signature)}. The signed bytes are
 * the UTF-8 text including its final newline, without the blank line.
 *
 * <p>A parsed note is not yet trusted: its text means nothing until {@link #verify} succeeds.
 */
public record Note(String text, List<NoteSignature> signatures) {
    /**
     * Most signatures accepted; the spec requires at least 16, Go's reference allows 100. The
     * bound keeps a hostile note from costing many signature checks.
     */
    public static final int MAX_SIGNATURES = 100;

    public Note {
        Objects.requireNonNull(text, "text is null");
        signatures = List.copyOf(signatures);
        if (!text.endsWith("\n")) {
            throw new IllegalArgumentException("note text must end with a newline");
        }
        int bad = NoteNames.firstInvalidNoteChar(text);
        if (bad >= 0) {
            throw new IllegalArgumentException("note text has a control character or invalid UTF-16 at offset " + bad);
        }
        if (signatures.isEmpty() || signatures.size() > MAX_SIGNATURES) {
            throw new IllegalArgumentException(
                    "note has " + signatures.size() + " signatures, want 1 to " + MAX_SIGNATURES);
        }
    }

    /** Signs {@code text} with each signer, in order. */
    public static Note sign(String text, NoteSigner... signers) {
        List<NoteSignature> signatures = new ArrayList<>(signers.length);
        for (NoteSigner signer : signers) {
            signatures.add(signer.sign(text));
        }
        return new Note(text, signatures);
    }

    /**
     * Parses a signed note from its bytes, which must be valid UTF-8.
     *
     * @throws MalformedNoteException if the bytes are not a well-formed signed note
     */
    public static Note parse(byte[] message) throws MalformedNoteException {
        try {
            String decoded = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(message))
                    .toString();
            return parse(decoded);
        } catch (CharacterCodingException e) {
            throw new MalformedNoteException("note is not valid UTF-8");
        }
    }

    /**
     * Parses a signed note. Only syntax is checked; see {@link #verify}.
     *
     * @throws MalformedNoteException if the text is not a well-formed signed note
     */
    public static Note parse(String message) throws MalformedNoteException {
        int bad = NoteNames.firstInvalidNoteChar(message);
        if (bad >= 0) {
            throw new MalformedNoteException("note has a control character or invalid UTF-8 at offset " + bad);
        }
        // The text may contain blank lines itself; the last one separates the signatures.
        int split = message.lastIndexOf("\n\n");
        if (split < 0) {
            throw new MalformedNoteException("note has no blank line before its signatures");
        }
        String text = message.substring(0, split + 1);
        String block = message.substring(split + 2);
        if (block.isEmpty() || !block.endsWith("\n")) {
            throw new MalformedNoteException("note signatures must be one or more lines, each ending with a newline");
        }
        String[] lines = block.substring(0, block.length() - 1).split("\n", -1);
        if (lines.length > MAX_SIGNATURES) {
            throw new MalformedNoteException(
                    "note has " + lines.length + " signatures, at most " + MAX_SIGNATURES + " accepted");
        }
        List<NoteSignature> signatures = new ArrayList<>(lines.length);
        for (int i = 0; i < lines.length; i++) {
            NoteSignature signature = NoteSignature.parseLineOrNull(lines[i]);
            if (signature == null) {
                throw new MalformedNoteException(
                        "note signature line " + (i + 1) + " is not '\u2014 <key name> <base64 key id and signature>'");
            }
            signatures.add(signature);
        }
        return new Note(text, signatures);
    }

    /**
     * Parses and verifies a signed note in one step.
     *
     * @see #verify(Collection)
     */
    public static VerifiedNote open(String message, Collection<NoteVerifier> known) throws NoteException {
        return parse(message).verify(known);
    }

    /**
     * Checks the signatures against the {@code known} keys. A signature counts as from a known
     * key only if both its key name and key id match one; others are ignored, as the spec
     * requires (a key rotation or a witness cosignature is no reason to reject a note).
     *
     * @throws InvalidSignatureException if a known key's signature does not verify
     * @throws UnverifiedNoteException if no known key signed the note
     * @throws IllegalArgumentException if two different known keys share a name and key id
     */
    public VerifiedNote verify(Collection<NoteVerifier> known) throws NoteException {
        Map<String, NoteVerifier> byNameAndId = new HashMap<>();
        for (NoteVerifier verifier : known) {
            NoteVerifier previous = byNameAndId.put(nameAndId(verifier.name(), verifier.keyId()), verifier);
            if (previous != null && !previous.equals(verifier)) {
                throw new IllegalArgumentException(
                        "ambiguous known keys: two keys are named " + verifier.name() + " with the same key id");
            }
        }
        byte[] signed = text.getBytes(StandardCharsets.UTF_8);
        List<NoteSignature> verified = new ArrayList<>();
        List<NoteSignature> unverified = new ArrayList<>();
        Set<String> verifiedKeys = new HashSet<>();
        for (NoteSignature signature : signatures) {
            String key = nameAndId(signature.keyName(), signature.keyId());
            NoteVerifier verifier = byNameAndId.get(key);
            if (verifier == null) {
                unverified.add(signature);
                continue;
            }
            // Every signature by a known key is checked, repeated ones too: a bad one is a
            // forgery attempt whether or not a good one sits next to it.
            if (!verifier.verify(signed, signature.signature())) {
                throw new InvalidSignatureException(signature.keyName(), signature.keyId());
            }
            if (verifiedKeys.add(key)) {
                verified.add(signature);
            }
        }
        if (verified.isEmpty()) {
            throw new UnverifiedNoteException(signatures);
        }
        return new VerifiedNote(text, verified, unverified);
    }

    /** The signed note as text: the text, a blank line, and the signature lines. */
    public String format() {
        StringBuilder out = new StringBuilder(text.length() + 1 + 120 * signatures.size());
        out.append(text).append('\n');
        for (NoteSignature signature : signatures) {
            out.append(signature.line()).append('\n');
        }
        return out.toString();
    }

    private static String nameAndId(String name, int keyId) {
        // Names cannot contain '+', so this is unambiguous.
        return name + "+" + keyId;
    }
}
