package io.countersign.client;

/**
 * A call to the Countersign server did not give an answer this client could use. The subtypes
 * say why: the server answered a problem, the network failed, the answer was malformed, or an
 * execution report was lost after the work ran. Thrown as it is when the calling thread is
 * interrupted while waiting (the interrupt flag is set again).
 *
 * <p>No message of this family ever contains the API key.
 */
public sealed class CountersignException extends RuntimeException
        permits CountersignApiException,
                CountersignNetworkException,
                CountersignProtocolException,
                ExecutionNotReported {

    public CountersignException(String message, Throwable cause) {
        super(message, cause);
    }

    public CountersignException(String message) {
        super(message);
    }
}
