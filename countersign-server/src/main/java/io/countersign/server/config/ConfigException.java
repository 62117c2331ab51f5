package io.countersign.server.config;

/** A configuration that can't be used; the message names the file and the key. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
