package dev.stageflow.servers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The ZooKeeper server of a cluster with JobManager high availability: one ZooKeeper 3.9 server
 * ({@code ZooKeeperServerMain}, standalone) in a JVM of its own on the classpath of {@code
 * servers/zookeeper/pom.xml}, listening on a loopback port only, its data under the cluster's
 * directory so that it outlives a stop and a start of the cluster, as the jobs it records do.
 *
 * <p>A tick of 500 ms makes session expiry, which is what hands leadership to a standby after a
 * JobManager dies without saying goodbye, follow the session timeout Flink asks for
 * ({@code conf/cluster-ha.yaml}) within half a second; ZooKeeper's default of 2 s would add up to 2 s
 * to every failover. ZooKeeper's admin server (an HTTP server on port 8080 by default) is off.
 */
final class ClusterZooKeeper {

    static final String MAIN = "org.apache.zookeeper.server.ZooKeeperServerMain";
    /** Its classpath resource and logging configuration, {@code servers/zookeeper/}. */
    static final String SERVER = "zookeeper";

    private ClusterZooKeeper() {}

    /** Writes {@code zoo.cfg} and the logging configuration into {@code confDir}; returns how to start the server. */
    static FlinkCluster.Launch prepare(Path confDir, Path dataDir, int port) {
        Path config = confDir.resolve("zoo.cfg");
        List<String> lines = List.of(
                "# written by stageflow cluster start: the ZooKeeper server of a cluster with high availability",
                "tickTime=500",
                "minSessionTimeout=1000",
                "maxSessionTimeout=60000",
                "dataDir=" + dataDir,
                "clientPort=" + port,
                "clientPortAddress=127.0.0.1",
                "maxClientCnxns=0",
                "admin.enableServer=false",
                "autopurge.snapRetainCount=3",
                "autopurge.purgeInterval=1");
        try {
            Files.createDirectories(dataDir);
            Files.write(config, lines, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the ZooKeeper configuration " + config, e);
        }
        Path logging = ChildJvm.configFile(SERVER, "logback.xml", confDir);
        return new FlinkCluster.Launch(List.of("-Xmx128m", "-Dlogback.configurationFile=" + logging), SERVER, MAIN,
                List.of(config.toString()));
    }

    /** The quorum string of the server on {@code port}, as Flink's high-availability options name it. */
    static String quorum(int port) {
        return "127.0.0.1:" + port;
    }
}
