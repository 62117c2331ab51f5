package io.countersign.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Where the answers validated against the OpenAPI document are counted, when asked for: with
 * {@code -Dcountersign.openapi.ledger=<file>} each validated answer appends "METHOD /route status"
 * to that file (one line, so parallel test JVMs may share it), to see how much of the API the
 * end-to-end tests hold to the contract. Without the property nothing is written.
 */
final class AnswerLedger {
    static final String PROPERTY = "countersign.openapi.ledger";

    private AnswerLedger() {}

    static void record(String operation, int status) {
        String file = System.getProperty(PROPERTY, "");
        if (file.isBlank()) {
            return;
        }
        try {
            Files.writeString(
                    Path.of(file),
                    operation + " " + status + "\n",
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
