package dev.polymux.common.event;

/** The platform's Kafka topics, one per kind of event. Versioned names: a breaking change gets a new topic. */
public final class EventTopics {

    /** Workflow engine → dispatch; key: installation id. */
    public static final String TOOL_CALLS = "polymux.tool-calls.v1";
    /** Dispatch → workflow engine; key: call id. */
    public static final String TOOL_RESULTS = "polymux.tool-results.v1";
    /** Tool calls dispatch could not process, with the reason in headers; key: the original key. */
    public static final String TOOL_CALLS_DLQ = "polymux.tool-calls.dlq.v1";
    /** Installation lifecycle from oauth, registry and vault; key: installation id. */
    public static final String CONNECTION_EVENTS = "polymux.connection-events.v1";
    /** Catalog changes for caches in other services; key: connector id. */
    public static final String REGISTRY_EVENTS = "polymux.registry-events.v1";
    /** Who read, wrote or deleted which secret, and when (never a value); key: installation id. Kept for compliance. */
    public static final String AUDIT_EVENTS = "polymux.audit-events.v1";

    private EventTopics() {
    }
}
