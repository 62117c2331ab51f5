package io.countersign.tlog.proof;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.countersign.tlog.testing.SharedTestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The transparency-dev/merkle proof vectors (shared testdata/merkle): every case that wants
 * success verifies, every {@code wantErr} case is rejected.
 */
class ProofVerifierVectorsTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TestFactory
    Stream<DynamicTest> inclusionVectors() throws IOException {
        List<Path> files = vectors("inclusion");
        assertThat(files).hasSizeGreaterThan(50);
        return files.stream()
                .map(file -> DynamicTest.dynamicTest(name(file), () -> {
                    JsonNode v = JSON.readTree(file);
                    byte[] leafHash = bytes(v.get("leafHash"));
                    long index = uint64(v.get("leafIdx"));
                    long size = uint64(v.get("treeSize"));
                    List<byte[]> proof = hashes(v.get("proof"));
                    byte[] root = bytes(v.get("root"));
                    if (v.get("wantErr").asBoolean()) {
                        assertThatThrownBy(() -> ProofVerifier.verifyInclusion(leafHash, index, size, proof, root))
                                .as(v.get("desc").asString())
                                .isInstanceOf(ProofVerificationException.class);
                    } else {
                        assertThatCode(() -> ProofVerifier.verifyInclusion(leafHash, index, size, proof, root))
                                .as(v.get("desc").asString())
                                .doesNotThrowAnyException();
                    }
                }));
    }

    @TestFactory
    Stream<DynamicTest> consistencyVectors() throws IOException {
        List<Path> files = vectors("consistency");
        assertThat(files).hasSizeGreaterThan(50);
        return files.stream()
                .map(file -> DynamicTest.dynamicTest(name(file), () -> {
                    JsonNode v = JSON.readTree(file);
                    long size1 = uint64(v.get("size1"));
                    long size2 = uint64(v.get("size2"));
                    byte[] root1 = bytes(v.get("root1"));
                    byte[] root2 = bytes(v.get("root2"));
                    List<byte[]> proof = hashes(v.get("proof"));
                    if (v.get("wantErr").asBoolean()) {
                        assertThatThrownBy(() -> ProofVerifier.verifyConsistency(size1, size2, root1, root2, proof))
                                .as(v.get("desc").asString())
                                .isInstanceOf(ProofVerificationException.class);
                    } else {
                        assertThatCode(() -> ProofVerifier.verifyConsistency(size1, size2, root1, root2, proof))
                                .as(v.get("desc").asString())
                                .doesNotThrowAnyException();
                    }
                }));
    }

    private static List<Path> vectors(String kind) throws IOException {
        Path dir = SharedTestData.require("merkle").resolve(kind);
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
    }

    private static String name(Path file) {
        return file.getParent().getParent().getFileName() + "/"
                + file.getParent().getFileName() + "/" + file.getFileName();
    }

    /**
     * Sizes and indexes are uint64 in Go. Java has no unsigned long: values above 2^63 - 1
     * wrap to negative ones (2^64 - 1 becomes -1), which a verifier must reject just the same.
     */
    private static long uint64(JsonNode node) {
        return node.bigIntegerValue().longValue();
    }

    private static byte[] bytes(JsonNode node) {
        return node == null || node.isNull() ? new byte[0] : Base64.getDecoder().decode(node.asString());
    }

    private static List<byte[]> hashes(JsonNode node) {
        List<byte[]> hashes = new ArrayList<>();
        if (node != null && !node.isNull()) {
            for (JsonNode hash : node) {
                hashes.add(bytes(hash));
            }
        }
        return hashes;
    }
}
