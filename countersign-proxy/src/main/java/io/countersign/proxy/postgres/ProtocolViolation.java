package io.countersign.proxy.postgres;

/** The client broke the wire protocol (a bad length, a truncated field, a message out of place); its session ends. */
final class ProtocolViolation extends Exception {
    ProtocolViolation(String message) {
        super(message);
    }
}
