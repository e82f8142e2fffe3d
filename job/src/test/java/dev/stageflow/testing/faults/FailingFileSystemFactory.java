package dev.stageflow.testing.faults;

import java.net.URI;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.FileSystemFactory;

/** Registers {@link FailingFileSystem} under {@code failing://}, on the test classpath only. */
public final class FailingFileSystemFactory implements FileSystemFactory {

    private static final FailingFileSystem INSTANCE = new FailingFileSystem();

    @Override
    public String getScheme() {
        return FailingFileSystem.SCHEME;
    }

    @Override
    public FileSystem create(URI fsUri) {
        return INSTANCE;
    }
}
