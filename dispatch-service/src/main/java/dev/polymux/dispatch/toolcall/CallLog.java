package dev.polymux.dispatch.toolcall;

import java.util.logging.Level;

import org.jboss.logmanager.ExtLogRecord;
import org.jboss.logmanager.Logger;

/**
 * Log lines about one tool call, which carry the call in their log context (MDC keys {@code callId}, {@code tenantId},
 * {@code pluginId}, {@code installationId}, {@code tool}): JSON logs print them as fields, so an operator finds every
 * line of one call, tenant or installation. Ids and names only, never an argument or a credential.
 * <p>
 * The fields are put on the log record itself, next to what the thread's MDC holds (a trace id): not into the MDC.
 * Calls run on the event loop's root context, where Quarkus's MDC keeps nothing, and many calls share one thread, so
 * an MDC set for one call would be lost or read by another call's lines.
 */
public final class CallLog {

    private final Logger logger;

    private CallLog(Logger logger) {
        this.logger = logger;
    }

    public static CallLog of(Class<?> owner) {
        return new CallLog(Logger.getLogger(owner.getName()));
    }

    public void debugf(ToolCall call, String installationId, String format, Object... parameters) {
        log(org.jboss.logmanager.Level.DEBUG, call, installationId, format, parameters);
    }

    public void errorf(ToolCall call, String installationId, String format, Object... parameters) {
        log(org.jboss.logmanager.Level.ERROR, call, installationId, format, parameters);
    }

    /** {@code installationId}: null while the call's connection is not resolved. */
    private void log(Level level, ToolCall call, String installationId, String format, Object... parameters) {
        if (!logger.isLoggable(level)) {
            return;
        }
        ExtLogRecord record = new ExtLogRecord(level, format, ExtLogRecord.FormatStyle.PRINTF, CallLog.class.getName());
        record.setLoggerName(logger.getName());
        record.setParameters(parameters);
        put(record, "callId", call.callId());
        put(record, "tenantId", call.tenantId());
        put(record, "pluginId", call.pluginId());
        put(record, "installationId", installationId);
        put(record, "tool", call.tool());
        logger.logRaw(record);
    }

    private static void put(ExtLogRecord record, String key, String value) {
        if (value != null) {
            record.putMdc(key, value);
        }
    }
}
