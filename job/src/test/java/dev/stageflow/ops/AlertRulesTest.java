package dev.stageflow.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The alert rules pass {@code promtool check rules} and their unit tests ({@code promtool test
 * rules}, input series and expected alerts), each alert has a test in which it fires, and the
 * example scrape configuration passes {@code promtool check config}. promtool comes from Debian's
 * {@code prometheus} package, which scripts/test.sh installs when it is missing.
 */
class AlertRulesTest {

    @Test
    void promtoolAcceptsTheRules() throws Exception {
        assertThat(promtool("check", "rules", OpsFiles.ALERTS.toString())).contains("SUCCESS: 10 rules found");
    }

    @Test
    void everyAlertFiresAsItsUnitTestsExpectAndIsSilentWhereTheyExpectSilence() throws Exception {
        assertThat(promtool("test", "rules", OpsFiles.ALERT_TESTS.toString())).contains("SUCCESS");
    }

    @Test
    void everyAlertHasAUnitTestInWhichItFires() {
        Set<String> alerts = new TreeSet<>();
        OpsFiles.alertRules().forEach(rule -> alerts.add(rule.path("alert").asText()));
        Set<String> fired = new TreeSet<>();
        for (JsonNode test : OpsFiles.yaml(OpsFiles.ALERT_TESTS).path("tests")) {
            for (JsonNode expectation : test.path("alert_rule_test")) {
                if (!expectation.path("exp_alerts").isEmpty()) {
                    fired.add(expectation.path("alertname").asText());
                }
            }
        }

        assertThat(alerts).hasSize(OpsFiles.alertRules().size());
        assertThat(fired).isEqualTo(alerts);
    }

    @Test
    void theExampleScrapeConfigurationLoadsTheRules() throws Exception {
        assertThat(promtool("check", "config", OpsFiles.SCRAPE_CONFIG.toString()))
                .contains("SUCCESS: 1 rule files found");
    }

    /** Runs promtool with {@code args}; returns what it printed, or fails with it when it exits with an error. */
    private static String promtool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(promtoolBinary().toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(OpsFiles.PROMETHEUS.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("promtool ended").isTrue();
        assertThat(process.exitValue()).as("promtool %s said:%n%s", String.join(" ", args), output).isZero();
        return output;
    }

    private static Path promtoolBinary() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, "promtool");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new AssertionError("promtool is not on the PATH: install the Debian package prometheus"
                + " (apt-get install -y --no-install-recommends prometheus; scripts/test.sh installs it)");
    }
}
