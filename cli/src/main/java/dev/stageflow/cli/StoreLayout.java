package dev.stageflow.cli;

import dev.stageflow.config.StoreOptions;
import dev.stageflow.servers.LocalServers.Kind;
import dev.stageflow.servers.LocalServers.Server;
import dev.stageflow.servers.LocalServers;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a local run keeps its artifacts. {@code local}: a directory under the data directory.
 * {@code seed}: the layout of the project's seed design, all on this machine: latents and generated
 * images on S3 (S3Proxy), enhanced images on HDFS (a mini cluster), embeddings in Redis (the run's
 * own). The S3 and HDFS servers are the ones of {@code stageflow servers}, started on their default
 * ports if they do not run, so a resumed run, {@code inspect} and {@code report} find the artifacts
 * at the same addresses; they keep running after the run (stop them with {@code stageflow servers
 * stop}). The layout's options are derived, never recorded: a resume derives them again.
 */
enum StoreLayout {
    LOCAL,
    SEED;

    /** The store options of this layout, starting what it needs. */
    Map<String, String> options(Path dataDir, PrintWriter out) {
        Map<String, String> options = new LinkedHashMap<>();
        if (this == LOCAL) {
            options.put(StoreOptions.URI.key(), dataDir.resolve("store").toUri().toString());
            return options;
        }
        LocalServers servers = new LocalServers(dataDir);
        Server s3 = servers.start(Kind.S3, Kind.S3.defaultPort);
        Server hdfs = servers.start(Kind.HDFS, Kind.HDFS.defaultPort);
        options.putAll(s3.jobOptions());
        options.put(StoreOptions.GENERATE_URI.key(), s3.jobOptions().get(StoreOptions.URI.key()));
        options.put(StoreOptions.ENHANCE_URI.key(), hdfs.jobOptions().get(StoreOptions.URI.key()));
        out.printf("Seed layout: latents and images on %s (S3Proxy, port %d), enhanced images on %s (HDFS, port %d),"
                        + " embeddings in Redis; the S3 and HDFS servers keep running (stageflow servers stop)%n",
                options.get(StoreOptions.GENERATE_URI.key()), s3.port(), options.get(StoreOptions.ENHANCE_URI.key()),
                hdfs.port());
        return options;
    }
}
