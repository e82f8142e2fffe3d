package dev.stageflow.store;

import dev.stageflow.config.StoreOptions;
import java.io.IOException;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.runtime.fs.hdfs.HadoopFileSystem;
import org.apache.flink.util.WrappingProxy;

/**
 * Creates HDFS files with a chosen replication factor, which Flink's generic {@link FileSystem}
 * API cannot express: its {@code create} with a replication argument is deprecated, and its base
 * implementation (which wrappers such as the plugin class-loader wrapper inherit) drops the
 * replication silently. {@link HadoopFileSystem} honours it, so it is called directly.
 *
 * <p>A class of its own so that Hadoop classes are loaded only when the option is set, never on a
 * cluster that runs the job without Hadoop.
 */
final class HdfsFiles {

    private HdfsFiles() {}

    /** Creates (overwriting) {@code path} with {@code replication}, other settings as configured. */
    static FSDataOutputStream createReplicated(FileSystem fs, Path path, short replication)
            throws IOException {
        HadoopFileSystem hdfs = hadoopFileSystem(fs, path);
        org.apache.hadoop.fs.FileSystem client = hdfs.getHadoopFileSystem();
        org.apache.hadoop.fs.Path hadoopPath = HadoopFileSystem.toHadoopPath(path);
        int bufferSize = client.getConf().getInt("io.file.buffer.size", 4096);
        return hdfs.create(path, true, bufferSize, replication, client.getDefaultBlockSize(hadoopPath));
    }

    /**
     * The Hadoop file system under Flink's wrappers. Inside a task Flink wraps it in a safety net
     * that closes leaked streams; the store closes every stream it opens, so bypassing it is safe.
     */
    private static HadoopFileSystem hadoopFileSystem(FileSystem fs, Path path) {
        FileSystem current = fs;
        while (current instanceof WrappingProxy<?> proxy) {
            current = (FileSystem) proxy.getWrappedDelegate();
        }
        if (current instanceof HadoopFileSystem hdfs) {
            return hdfs;
        }
        throw new IllegalStateException(
                StoreOptions.HDFS_REPLICATION.key() + " is set, but " + path + " is on "
                        + current.getClass().getName() + ", not on Hadoop's file system");
    }
}
