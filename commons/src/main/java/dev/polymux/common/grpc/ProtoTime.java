package dev.polymux.common.grpc;

import java.time.Instant;

import com.google.protobuf.Timestamp;

/** {@link Instant} to and from {@code google.protobuf.Timestamp}, nanoseconds kept, as every gRPC contract here uses them. */
public final class ProtoTime {

    private ProtoTime() {
    }

    public static Timestamp timestamp(Instant instant) {
        return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
    }

    public static Instant instant(Timestamp timestamp) {
        return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos());
    }
}
