package io.countersign.proxy.http;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;

/** Where the upstream's answer streams to: the agent's connection, through the gateway's HTTP server. */
@FunctionalInterface
public interface ResponseSink {

    /** Sends the status and headers; the body follows on the stream returned (closed by the caller). */
    OutputStream start(int status, Map<String, List<String>> headers) throws IOException;
}
