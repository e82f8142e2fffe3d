package dev.stageflow.cli;

import java.io.StringWriter;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;

/**
 * What this JVM logs at INFO and above while open, exceptions with their causes, as the local
 * run's log file ({@code conf/log4j2.properties}, root level INFO) would hold it.
 */
final class CapturedLogs implements AutoCloseable {

    private static final String NAME = "captured";

    private final StringWriter text = new StringWriter();
    private final LoggerContext context = (LoggerContext) LogManager.getContext(false);
    private final WriterAppender appender;
    private final Level rootLevel;

    CapturedLogs() {
        Configuration config = context.getConfiguration();
        appender = WriterAppender.newBuilder()
                .setName(NAME)
                .setTarget(text)
                .setLayout(PatternLayout.newBuilder().withPattern("%-5p %c - %m%n").build())
                .build();
        appender.start();
        config.addAppender(appender);
        LoggerConfig root = config.getRootLogger();
        rootLevel = root.getLevel();
        root.addAppender(appender, Level.INFO, null);
        root.setLevel(Level.INFO);
        context.updateLoggers();
    }

    String text() {
        return text.toString();
    }

    @Override
    public void close() {
        LoggerConfig root = context.getConfiguration().getRootLogger();
        root.removeAppender(NAME);
        root.setLevel(rootLevel);
        context.updateLoggers();
        appender.stop();
    }
}
