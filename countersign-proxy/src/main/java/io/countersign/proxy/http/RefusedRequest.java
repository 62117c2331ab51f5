package io.countersign.proxy.http;

/** A request the proxy refuses before deciding it (bad path, too big); the message is safe to show the agent. */
final class RefusedRequest extends Exception {
    private final int status;

    RefusedRequest(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    int status() {
        return status;
    }
}
