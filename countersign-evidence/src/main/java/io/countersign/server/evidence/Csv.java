package io.countersign.server.evidence;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.util.List;

/**
 * An RFC 4180 CSV file built in memory: CRLF line ends, fields quoted when they need it. A field
 * that a spreadsheet would run as a formula (starting with = + - @ or a tab) gets a leading
 * apostrophe: agents choose resource names and reasons, and an auditor opens these in Excel.
 */
final class Csv {
    private final StringBuilder text = new StringBuilder();
    private final int columns;

    Csv(String... header) {
        this.columns = header.length;
        row((Object[]) header);
    }

    Csv row(Object... fields) {
        if (fields.length != columns) {
            throw new IllegalArgumentException("row has " + fields.length + " fields, want " + columns);
        }
        for (int i = 0; i < fields.length; i++) {
            if (i > 0) {
                text.append(',');
            }
            text.append(field(String.valueOf(fields[i])));
        }
        text.append("\r\n");
        return this;
    }

    byte[] bytes() {
        return text.toString().getBytes(UTF_8);
    }

    static String join(List<?> values) {
        return String.join(";", values.stream().map(String::valueOf).toList());
    }

    private static String field(String value) {
        String safe = !value.isEmpty() && "=+-@\t\r".indexOf(value.charAt(0)) >= 0 ? "'" + value : value;
        if (safe.indexOf(',') >= 0 || safe.indexOf('"') >= 0 || safe.indexOf('\n') >= 0 || safe.indexOf('\r') >= 0) {
            return '"' + safe.replace("\"", "\"\"") + '"';
        }
        return safe;
    }
}
