package io.countersign.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataFolderTest {
    @TempDir
    Path directory;

    @Test
    void secretKey_isCreatedOwnerOnly_andStaysTheSame() throws Exception {
        DataFolder data = new DataFolder(directory);

        byte[] first = data.secretKey("grant.key");
        byte[] again = new DataFolder(directory).secretKey("grant.key");

        assertThat(first).hasSize(32).isEqualTo(again);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(directory.resolve("grant.key"))))
                .isEqualTo("rw-------");
        try (var leftovers = Files.list(directory)) {
            assertThat(leftovers.map(path -> path.getFileName().toString())).containsExactly("grant.key");
        }
    }

    @Test
    void concurrentFirstUse_agreesOnOneKey() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<byte[]>> keys = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                Callable<byte[]> read = () -> new DataFolder(directory).secretKey("grant.key");
                keys.add(pool.submit(read));
            }
            byte[] first = keys.get(0).get();
            for (Future<byte[]> key : keys) {
                assertThat(key.get()).isEqualTo(first);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
