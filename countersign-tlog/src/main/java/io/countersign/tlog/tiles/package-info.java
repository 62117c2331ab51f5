/**
 * The log as C2SP tlog-tiles static resources: hash tiles ({@code tile/<L>/<N>[.p/<W>]}), each
 * 256 consecutive hashes of tree level {@code 8 * L}, and entry bundles
 * ({@code tile/entries/<N>[.p/<W>]}), the entries behind a level-0 tile with a big-endian
 * uint16 length before each. Tiles are read from the stored nodes ({@link
 * io.countersign.tlog.tree.HashReader}): the hash at position {@code i} of tile {@code (L, N)}
 * is the stored node {@code (8 * L, N * 256 + i)}, complete as soon as the tile reaches it.
 */
package io.countersign.tlog.tiles;
