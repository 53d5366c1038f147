package dev.polymux.testing.grpc;

import java.util.concurrent.TimeUnit;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;

/** Plain-text channels to the app under test, and stubs that present a bearer token as service callers do. */
public final class GrpcChannels {

    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private GrpcChannels() {
    }

    public static ManagedChannel open(int port) {
        return ManagedChannelBuilder.forAddress("localhost", port).usePlaintext().build();
    }

    /** The stub sending {@code bearer} ("Bearer ...") with every call, with a 10 s deadline. */
    public static <S extends AbstractStub<S>> S as(S stub, String bearer) {
        Metadata headers = new Metadata();
        headers.put(AUTHORIZATION, bearer);
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers)).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    public static void close(ManagedChannel channel) throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
