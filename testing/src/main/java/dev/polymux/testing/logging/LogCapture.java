package dev.polymux.testing.logging;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.jboss.logmanager.ExtLogRecord;

/**
 * Captures every log record of the app under test (a {@code @QuarkusTest} shares its JVM), formatted as a log line
 * would be, with stack traces and the log context (MDC, as {@code mdc{key=value, ...}}), so a test can scan them for
 * values that must never be logged. While open, the
 * {@code dev.polymux} loggers run at DEBUG, so debug statements are scanned too.
 */
public final class LogCapture extends Handler implements AutoCloseable {

    private final ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();
    private final Logger root = Logger.getLogger("");
    private final Logger ours = Logger.getLogger("dev.polymux");
    private final Level oursBefore;

    private LogCapture() {
        setLevel(Level.ALL);
        oursBefore = ours.getLevel();
        ours.setLevel(Level.FINE);
        root.addHandler(this);
    }

    public static LogCapture start() {
        return new LogCapture();
    }

    @Override
    public void publish(LogRecord record) {
        StringBuilder line = new StringBuilder(record.getLoggerName() == null ? "" : record.getLoggerName()).append(' ');
        line.append(record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage());
        // The log context goes into the line too: a JSON log prints it, so it is scanned like the message.
        if (record instanceof ExtLogRecord ext && !ext.getMdcCopy().isEmpty()) {
            line.append(" mdc").append(new java.util.TreeMap<>(ext.getMdcCopy()));
        }
        if (record.getThrown() != null) {
            StringWriter trace = new StringWriter();
            record.getThrown().printStackTrace(new PrintWriter(trace));
            line.append('\n').append(trace);
        }
        lines.add(line.toString());
    }

    public List<String> lines() {
        return List.copyOf(lines);
    }

    /** The captured lines that contain {@code value}. */
    public List<String> linesContaining(String value) {
        return lines.stream().filter(line -> line.contains(value)).toList();
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        root.removeHandler(this);
        ours.setLevel(oursBefore);
    }
}
