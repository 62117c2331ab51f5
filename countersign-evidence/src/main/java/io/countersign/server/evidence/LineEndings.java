package io.countersign.server.evidence;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Optional;

/**
 * Tells a package file whose only change is its line endings, as an editor or a spreadsheet
 * leaves a CSV it re-saved, from one whose content changed: the first is still a changed file
 * (its hash is not the manifest's), but the auditor is told exactly that, not "a byte changed".
 */
final class LineEndings {
    private LineEndings() {}

    /** What to say when {@code held} equals {@code expected} but for line endings; empty otherwise. */
    static Optional<String> onlyDifference(byte[] held, byte[] expected) {
        if (Arrays.equals(held, expected) || !Arrays.equals(normalized(held), normalized(expected))) {
            return Optional.empty();
        }
        return Optional.of("differs from what the cited audit entries give only in its line endings ("
                + kind(held) + " where the package wrote " + kind(expected)
                + "): it was re-saved, by an editor or a spreadsheet perhaps; its content is what the log"
                + " says, but take the file from the original package, whose bytes the manifest's hash covers");
    }

    /** CRLF and a lone CR as LF. */
    static byte[] normalized(byte[] text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length);
        for (int i = 0; i < text.length; i++) {
            if (text[i] == '\r') {
                out.write('\n');
                if (i + 1 < text.length && text[i + 1] == '\n') {
                    i++;
                }
            } else {
                out.write(text[i]);
            }
        }
        return out.toByteArray();
    }

    /** "CRLF", "LF", "CR" or "mixed" line endings. */
    static String kind(byte[] text) {
        int crlf = 0;
        int lf = 0;
        int cr = 0;
        for (int i = 0; i < text.length; i++) {
            if (text[i] == '\r' && i + 1 < text.length && text[i + 1] == '\n') {
                crlf++;
                i++;
            } else if (text[i] == '\r') {
                cr++;
            } else if (text[i] == '\n') {
                lf++;
            }
        }
        int kinds = (crlf > 0 ? 1 : 0) + (lf > 0 ? 1 : 0) + (cr > 0 ? 1 : 0);
        if (kinds > 1) {
            return "mixed line endings";
        }
        return crlf > 0 ? "CRLF" : cr > 0 ? "CR" : "LF";
    }
}
