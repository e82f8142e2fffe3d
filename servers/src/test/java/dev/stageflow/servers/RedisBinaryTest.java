package dev.stageflow.servers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RedisBinaryTest {

    @TempDir
    Path dir;

    @Test
    void theBundledBinaryWhenTheVariableIsUnsetEvenWithARedisServerOnThePath() throws IOException {
        executable(dir.resolve("redis-server"));

        assertThat(RedisBinary.chosen(Map.of("PATH", dir.toString()))).isEmpty();
    }

    @Test
    void theBinaryTheVariableNames() throws IOException {
        Path binary = executable(dir.resolve("redis-7"));

        assertThat(RedisBinary.chosen(Map.of(RedisBinary.ENV, binary.toString()))).contains(binary);
    }

    @Test
    void refusesAMissingFileNamingTheVariableAndThePath() {
        String missing = dir.resolve("no-redis-server").toString();

        assertThatThrownBy(() -> RedisBinary.chosen(Map.of(RedisBinary.ENV, missing)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(RedisBinary.ENV)
                .hasMessageContaining(missing);
    }

    @Test
    void refusesAFileThatIsNotExecutable() throws IOException {
        Path plain = Files.writeString(dir.resolve("redis-server"), "not a program");

        assertThatThrownBy(() -> RedisBinary.chosen(Map.of(RedisBinary.ENV, plain.toString())))
                .hasMessageContaining(RedisBinary.ENV)
                .hasMessageContaining(plain.toString());
    }

    @Test
    void refusesADirectoryAndAnEmptyValue() {
        assertThatThrownBy(() -> RedisBinary.chosen(Map.of(RedisBinary.ENV, dir.toString())))
                .hasMessageContaining(dir.toString());
        assertThatThrownBy(() -> RedisBinary.chosen(Map.of(RedisBinary.ENV, "")))
                .hasMessageContaining(RedisBinary.ENV + " names no executable redis-server: ''");
    }

    @Test
    void installsTheTargetOfALinkAsARedisServerInTheDirectory() throws IOException {
        Path binary = executable(dir.resolve("redis-check-rdb"));
        Path link = Files.createSymbolicLink(dir.resolve("link-to-redis"), binary);
        Path serverDir = Files.createDirectory(dir.resolve("server"));

        Path installed = RedisBinary.installIn(serverDir, Map.of(RedisBinary.ENV, link.toString()));

        assertThat(installed).isEqualTo(serverDir.resolve("redis-server")).isRegularFile().isExecutable()
                .hasSameBinaryContentAs(binary);
    }

    private static Path executable(Path file) throws IOException {
        Files.writeString(file, "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }
}
