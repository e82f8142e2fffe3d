package dev.stageflow.servers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Loopback ports for the local servers, the local cluster and the local run's web UI. */
public final class Ports {

    private Ports() {}

    /** A port that was free on the loopback interface a moment ago. */
    public static int free() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("No free loopback port", e);
        }
    }

    /** Whether {@code port} is free on the loopback interface now. */
    public static boolean isFree(int port) {
        try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException inUse) {
            return false;
        }
    }

    /** {@code port} if it is free, a free one for 0; a port in use is an error naming it. */
    public static int requested(int port) {
        if (port == 0) {
            return free();
        }
        if (!isFree(port)) {
            throw new IllegalStateException("Port " + port + " is in use; choose another");
        }
        return port;
    }
}
