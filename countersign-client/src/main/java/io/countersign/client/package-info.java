/**
 * The Countersign SDK for agents written in Java.
 *
 * <p>An agent describes what it wants to do as an {@link io.countersign.client.ActionRequest} and
 * asks a {@link io.countersign.client.CountersignClient} for permission: {@code authorize} returns a
 * single-use {@link io.countersign.client.Grant} or throws an
 * {@link io.countersign.client.ActionNotAuthorized} saying why not; {@code guard} wraps authorize,
 * the work and the execution report in one call. Everything in this package is immutable or
 * thread-safe; nothing in it prints the API key.
 */
package io.countersign.client;
