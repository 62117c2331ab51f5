package io.countersign.proxy.postgres;

import java.util.Optional;

/** ErrorResponse and NoticeResponse bodies: severity, SQLSTATE, message and an optional detail and hint. */
final class Notices {
    static final String INSUFFICIENT_PRIVILEGE = "42501";
    static final String QUERY_CANCELED = "57014";
    static final String PROTOCOL_VIOLATION = "08P01";
    static final String INVALID_PASSWORD = "28P01";
    static final String INVALID_AUTHORIZATION = "28000";
    static final String CONNECTION_FAILURE = "08006";
    static final String FEATURE_NOT_SUPPORTED = "0A000";
    static final String INVALID_CATALOG = "3D000";

    private Notices() {}

    static byte[] error(String code, String message, Optional<String> detail, Optional<String> hint) {
        return body("ERROR", code, message, detail, hint);
    }

    static byte[] fatal(String code, String message) {
        return body("FATAL", code, message, Optional.empty(), Optional.empty());
    }

    static byte[] notice(String message, Optional<String> detail) {
        return body("NOTICE", "00000", message, detail, Optional.empty());
    }

    private static byte[] body(
            String severity, String code, String message, Optional<String> detail, Optional<String> hint) {
        Wire.Builder body = new Wire.Builder()
                .int8('S')
                .cstring(severity)
                .int8('V')
                .cstring(severity)
                .int8('C')
                .cstring(code)
                .int8('M')
                .cstring(message);
        detail.ifPresent(text -> body.int8('D').cstring(text));
        hint.ifPresent(text -> body.int8('H').cstring(text));
        return body.int8(0).build();
    }

    /** The SQLSTATE and message of an ErrorResponse body; empty fields when absent or malformed. */
    record Fields(String code, String message) {
        static Fields of(byte[] body) {
            String code = "";
            String message = "";
            Wire.Reader reader = new Wire.Reader(body);
            try {
                while (reader.remaining() > 0) {
                    byte field = reader.int8();
                    if (field == 0) {
                        break;
                    }
                    String value = reader.cstring();
                    if (field == 'C') {
                        code = value;
                    } else if (field == 'M') {
                        message = value;
                    }
                }
            } catch (ProtocolViolation e) {
                // A malformed error from the upstream: what was read is all there is.
            }
            return new Fields(code, message);
        }
    }
}
