package dev.stageflow.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Chromium without a display, for tests that need a real browser's verdict on a page: it loads a
 * local file, runs the page's scripts and prints the DOM as it is after the load event. Each call
 * starts a fresh browser with a profile of its own and no network features.
 */
final class HeadlessChromium {

    static final Path BINARY = Path.of("/usr/bin/chromium");

    private HeadlessChromium() {}

    /**
     * The serialized DOM of {@code page} after loading. Pages loaded from files may read other
     * files' documents (a probe page looking into an iframe needs to).
     */
    static String dumpDom(Path page, Path workDir, Duration timeout) throws IOException, InterruptedException {
        if (!Files.isExecutable(BINARY)) {
            throw new AssertionError(BINARY + " is missing: install the Debian package chromium"
                    + " (apt-get install -y chromium; scripts/test.sh installs it)");
        }
        Path profile = Files.createTempDirectory(workDir, "chromium-profile");
        Path dom = workDir.resolve("dom.html");
        Path log = workDir.resolve("chromium.log");
        Process chromium = new ProcessBuilder(List.of(BINARY.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--allow-file-access-from-files", "--user-data-dir=" + profile,
                "--dump-dom", page.toUri().toString()))
                .redirectOutput(dom.toFile())
                .redirectError(log.toFile())
                .start();
        if (!chromium.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            chromium.descendants().forEach(ProcessHandle::destroyForcibly);
            chromium.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("Chromium did not finish " + page + " within " + timeout + "; its log: "
                    + Files.readString(log, StandardCharsets.UTF_8));
        }
        if (chromium.exitValue() != 0) {
            throw new AssertionError("Chromium exited with " + chromium.exitValue() + " on " + page + "; its log: "
                    + Files.readString(log, StandardCharsets.UTF_8));
        }
        return Files.readString(dom, StandardCharsets.UTF_8);
    }
}
