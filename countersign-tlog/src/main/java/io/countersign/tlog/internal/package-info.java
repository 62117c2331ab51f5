/**
 * Helpers shared by the public packages. Not API: nothing here is stable, and nothing outside
 * {@code io.countersign.tlog} should call it.
 */
package io.countersign.tlog.internal;
