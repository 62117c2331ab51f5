package io.countersign.server.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.countersign.tlog.note.NoteSigner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditSigningKeyTest {
    @TempDir
    Path dir;

    @Test
    void firstStart_createsAnOwnerOnlyKeyInGosNoteFormat_andLaterStartsLoadIt() throws Exception {
        NoteSigner created =
                AuditSigningKey.loadOrCreate(dir, AuditConfig.defaults().withOrigin("countersign.test/keys"));
        Path file = dir.resolve("audit-signing.key");

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
        assertThat(Files.readString(file))
                .matches("PRIVATE\\+KEY\\+countersign\\.test/keys\\+[0-9a-f]{8}\\+A[A-Za-z0-9+/]{43}\n");
        assertThat(created.verifier().format()).matches("countersign\\.test/keys\\+[0-9a-f]{8}\\+A[A-Za-z0-9+/]{43}");
        assertThat(AuditSigningKey.loadOrCreate(dir, AuditConfig.defaults())).isEqualTo(created);
    }

    @Test
    void withoutAnOrigin_theDefaultIsCountersignSlashTheHostNameSlashTheFoldersLogId() throws java.io.IOException {
        NoteSigner created = AuditSigningKey.loadOrCreate(dir, AuditConfig.defaults());

        String logId = java.nio.file.Files.readString(dir.resolve(AuditSigningKey.LOG_ID_FILE))
                .strip();
        assertThat(created.name())
                .matches("countersign/[a-z0-9.-]+/[0-9a-f]{16}")
                .endsWith("/" + logId);
    }

    @Test
    void twoNewFolders_onOneHost_areTwoLogs() throws java.io.IOException {
        java.nio.file.Path other = java.nio.file.Files.createDirectories(dir.resolve("other"));

        assertThat(AuditSigningKey.loadOrCreate(dir, AuditConfig.defaults()).name())
                .isNotEqualTo(AuditSigningKey.loadOrCreate(other, AuditConfig.defaults())
                        .name());
    }

    @Test
    void anOriginOtherThanTheKeysName_isRefused() {
        AuditSigningKey.loadOrCreate(dir, AuditConfig.defaults().withOrigin("countersign.test/a"));

        assertThatThrownBy(() ->
                        AuditSigningKey.loadOrCreate(dir, AuditConfig.defaults().withOrigin("countersign.test/b")))
                .hasMessageContaining("is named 'countersign.test/a' but audit.origin is 'countersign.test/b'");
    }

    @Test
    void aConfiguredKeyFile_isUsed_andMustExist() {
        Path file = dir.resolve("elsewhere/log.key");
        NoteSigner key = NoteSigner.generate("countersign.test/configured");
        AuditConfig config = AuditConfig.defaults().withSigningKeyFile(file);

        assertThatThrownBy(() -> AuditSigningKey.loadOrCreate(dir, config)).hasMessageContaining("does not exist");
        assertThat(AuditSigningKey.write(file, key)).isTrue();
        assertThat(AuditSigningKey.loadOrCreate(dir, config)).isEqualTo(key);
        assertThat(Files.exists(dir.resolve("audit-signing.key"))).isFalse();
    }

    @Test
    void aDamagedKeyFile_isNamed() throws Exception {
        Files.writeString(dir.resolve("audit-signing.key"), "PRIVATE+KEY+x+00000000+AAAA\n");

        assertThatThrownBy(() -> AuditSigningKey.loadOrCreate(dir, AuditConfig.defaults()))
                .hasMessageContaining(dir.resolve("audit-signing.key") + " is not a note signing key");
    }
}
