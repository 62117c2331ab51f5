package io.countersign.tlog.internal;

/** Syntax rules of signed notes (c2sp.org/signed-note) shared by notes and keys. */
public final class NoteNames {
    private NoteNames() {}

    /**
     * Key names must be non-empty and contain no Unicode space and no plus (the key string
     * separator). Control characters and unpaired surrogates (not UTF-8) are refused as well:
     * no valid note can carry them.
     */
    public static boolean isValidName(String name) {
        if (name == null || name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); ) {
            int cp = name.codePointAt(i);
            if (cp == '+' || cp < 0x20 || isUnicodeSpace(cp) || Character.isSurrogate((char) cp)) {
                return false;
            }
            i += Character.charCount(cp);
        }
        return true;
    }

    /** As Go's unicode.IsSpace, which the reference implementation uses. */
    static boolean isUnicodeSpace(int cp) {
        return cp == '\t'
                || cp == '\n'
                || cp == 0x0b
                || cp == '\f'
                || cp == '\r'
                || cp == 0x85
                || Character.isSpaceChar(cp);
    }

    /**
     * The first position of a character a signed note must not contain (a control character
     * other than newline, or an unpaired surrogate), or -1.
     */
    public static int firstInvalidNoteChar(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 && c != '\n') {
                return i;
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                    i++;
                    continue;
                }
                return i;
            }
            if (Character.isLowSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }
}
